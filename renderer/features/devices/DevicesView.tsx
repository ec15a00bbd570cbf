// The devices view (being built).
export function DevicesView() {
  return (
    <section className="view" aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
