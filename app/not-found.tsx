import Link from "next/link";
import { connection } from "next/server";

// Rendered per request, like every other page: the Content-Security-Policy
// carries a fresh script nonce (proxy.ts) that a 404 prerendered at build time
// could not have on its inline scripts, which the browser would then refuse.
export default async function NotFound() {
  await connection();
  return (
    <main className="login">
      <div className="card login-card" data-testid="not-found">
        <h1 className="brand">Not found</h1>
        <p className="muted">There is no page at this address.</p>
        <Link className="btn" href="/">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
