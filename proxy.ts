import { NextResponse, type NextRequest } from "next/server";
import { safeCallbackPath } from "@/lib/schemas/callback-path.ts";
import { parseTrustProxy } from "@/lib/server/config.ts";
import { hstsHeader, newNonce, pageCsp } from "@/lib/server/http/security-headers.ts";

// Next 16's proxy (formerly middleware), on pages and next-auth's routes:
// - pages get a Content-Security-Policy with a fresh script nonce (Next.js reads
//   it from the request's CSP header and puts it on its own script tags), and
//   Strict-Transport-Security when NEXTAUTH_URL is https;
// - a visitor without any session cookie is redirected to the sign-in page. That
//   is a convenience, NOT a guard: every page, route handler and server action
//   checks the session and the role itself;
// - next-auth derives its redirect URLs from X-Forwarded-Host/-Proto when no
//   NEXTAUTH_URL is set: unless LEDGERLINE_TRUST_PROXY names a proxy that writes
//   them, they are reset to what this server itself saw.
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

let trustsProxy: boolean | undefined;
function forwardingTrusted(): boolean {
  // The server refuses to start on an invalid value (lib/server/config.ts); here, only "set or not".
  try {
    trustsProxy ??= parseTrustProxy(process.env.LEDGERLINE_TRUST_PROXY).kind !== "none";
  } catch {
    trustsProxy = false;
  }
  return trustsProxy;
}

export function proxy(req: NextRequest) {
  const headers = new Headers(req.headers);
  if (!forwardingTrusted()) {
    headers.set("x-forwarded-host", req.headers.get("host") ?? req.nextUrl.host);
    headers.set("x-forwarded-proto", "http");
  }
  const path = req.nextUrl.pathname;
  if (path.startsWith("/api/")) return NextResponse.next({ request: { headers } });

  const nonce = newNonce();
  const publicUrl = process.env.NEXTAUTH_URL;
  const csp = pageCsp(nonce, {
    dev: process.env.NODE_ENV === "development",
    https: publicUrl?.startsWith("https://"),
  });
  headers.set("content-security-policy", csp);
  let res: NextResponse;
  if (path === "/login" || SESSION_COOKIES.some((c) => req.cookies.has(c))) {
    res = NextResponse.next({ request: { headers } });
  } else {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = `?callbackUrl=${encodeURIComponent(safeCallbackPath(req.nextUrl.pathname + req.nextUrl.search))}`;
    res = NextResponse.redirect(url);
  }
  res.headers.set("content-security-policy", csp);
  const hsts = hstsHeader(publicUrl);
  if (hsts) res.headers.set("strict-transport-security", hsts);
  return res;
}

export const config = {
  // Pages (the sign-in page included) and next-auth's routes; not the rest of the API
  // (bearer tokens, no redirects), nor the public tlog-tiles API under /tlog/, nor static
  // files, which cost no proxy run.
  matcher: ["/((?!api/|tlog|_next/static/|_next/image/|favicon.ico|robots.txt).*)", "/api/auth/:path*"],
};
