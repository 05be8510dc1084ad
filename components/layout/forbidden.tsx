import Link from "next/link";

// A page the viewer's role may not open (HTTP 403, from a segment's
// forbidden.tsx): what was refused, the viewer's role, the roles that may, and
// where to go instead.
export function Forbidden({ what, role, allowed }: { what: string; role: string | null; allowed: readonly string[] }) {
  return (
    <main className="stack">
      <section className="card forbidden stack" data-testid="forbidden" role="alert">
        <h1 className="page-title">Not allowed</h1>
        <p>
          {role ? (
            <>
              Your role, <span className="badge">{role}</span>, does not allow {what}.
            </>
          ) : (
            <>Your role does not allow {what}.</>
          )}
        </p>
        <p data-testid="forbidden-roles">
          Allowed for:{" "}
          {allowed.map((r, i) => (
            <span key={r}>
              {i > 0 && (i === allowed.length - 1 ? " and " : ", ")}
              <span className="badge">{r}</span>
            </span>
          ))}
          . Ask an admin to change your role if your work needs it.
        </p>
        <p>
          <Link href="/" className="btn small">
            Back to the overview
          </Link>
        </p>
      </section>
    </main>
  );
}
