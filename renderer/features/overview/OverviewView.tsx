// The overview view (being built).
export function OverviewView() {
  return (
    <section className="view" aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
