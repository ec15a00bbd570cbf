// The packs view (being built).
export function PacksView() {
  return (
    <section className="view" aria-labelledby="packs-title">
      <h1 id="packs-title">Packs</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
