// The scripts view (being built).
export function ScriptsView() {
  return (
    <section className="view" aria-labelledby="scripts-title">
      <h1 id="scripts-title">Scripts</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
