// Response security headers. Imported by proxy.ts, whose bundle is built apart
// from the server components' (hence no `server-only` here: nothing secret,
// only header text). The headers that are the same on every response
// (nosniff, X-Frame-Options, Referrer-Policy, the API's CSP) are set in
// next.config.js, so they also cover static assets and cost no proxy run;
// lib/server/http/security-headers.test.ts checks the two agree.

/** Same on every response (next.config.js `headers()` sets exactly these). */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
};

/** JSON, ZIPs and problem documents never render: nothing may load or frame them (next-auth's own sign-out page may still post its form). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** 128 random bits, base64: the per-response script nonce. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The pages' policy. Scripts run only with this response's nonce (Next.js puts
 * it on its own tags when it finds it in the request's CSP header) or when
 * loaded by such a script ('strict-dynamic'); no eval outside `next dev`.
 * Style *attributes* stay allowed (style-src-attr): React renders `style={…}`
 * (charts, timelines) into the HTML, and an attribute cannot carry a nonce;
 * style *elements* and sheets need the nonce or this origin.
 */
export function pageCsp(nonce: string, o: { dev?: boolean; https?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${o.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(o.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * Strict-Transport-Security when the dashboard's public URL (NEXTAUTH_URL) is
 * https, else null: pinning a host that serves no TLS would lock browsers out.
 * One year, this host only (subdomains may be other people's services).
 */
export function hstsHeader(publicUrl: string | undefined): string | null {
  return publicUrl?.startsWith("https://") ? "max-age=31536000" : null;
}
