import "server-only";
import { bearerToken } from "../auth/bearer-secrets.ts";
import { AppError } from "../errors.ts";

/**
 * CSRF guard for state-changing route handlers that accept the session cookie:
 * a browser always sends Origin on cross-site (and same-site) POSTs, so require
 * it to name this very host. Bearer-token callers carry no ambient credentials
 * and pass. (Server actions get the same Origin check from Next.js itself;
 * next-auth's own POSTs carry its CSRF token.)
 */
export function assertSameOrigin(req: Request): void {
  if (bearerToken(req)) return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  let ok = false;
  try {
    ok = !!origin && !!host && new URL(origin).host === host;
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new AppError(
      "forbidden",
      "Cross-site request refused: state-changing requests with a session must come from this site (or use a bearer token).",
    );
  }
}
