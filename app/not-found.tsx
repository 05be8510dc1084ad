import Link from "next/link";

// Any address the app does not know: a styled 404 (Next sets the status).
export default function NotFound() {
  return (
    <main className="shell error-shell">
      <section className="card stack not-found" data-testid="not-found">
        <h1 className="page-title">Page not found</h1>
        <p className="muted">
          Ledgerline has no page at this address. It may have been mistyped, or come from an old link.
        </p>
        <p>
          <Link href="/" className="btn small">
            Overview
          </Link>{" "}
          <Link href="/events" className="btn small">
            Events
          </Link>
        </p>
      </section>
    </main>
  );
}
