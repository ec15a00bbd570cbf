// The import view (being built).
export function ImportView() {
  return (
    <section className="view" aria-labelledby="import-title">
      <h1 id="import-title">Import</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
