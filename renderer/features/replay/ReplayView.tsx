// The replay view (being built).
export function ReplayView() {
  return (
    <section className="view" aria-labelledby="replay-title">
      <h1 id="replay-title">Replay</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
