import Link from "next/link";
import { connection } from "next/server";

// Any address the app does not know: a styled 404 (Next sets the status). Rendered
// per request, like every other page: the Content-Security-Policy carries a fresh
// script nonce (proxy.ts) that a 404 prerendered at build time could not have on its
// inline scripts, which the browser would then refuse.
export default async function NotFound() {
  await connection();
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
