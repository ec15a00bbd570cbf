// The audit view (being built).
export function AuditView() {
  return (
    <section className="view" aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
