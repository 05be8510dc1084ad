export function Forbidden({ what }: { what: string }) {
  return (
    <section className="card forbidden" data-testid="forbidden" role="alert">
      <h2>Not allowed</h2>
      <p className="muted">Your role does not allow {what}. Ask an admin if you need it.</p>
    </section>
  );
}
