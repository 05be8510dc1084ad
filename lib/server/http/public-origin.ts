import "server-only";

// The origin people reach this server at, for copy-paste examples on the
// dashboard (never for security decisions): NEXTAUTH_URL when the deployment
// pins it (production must), else the request's own Host — forwarded by a proxy
// or not — and scheme. Anything that does not look like a host is ignored, so a
// forged header can at worst print an odd but harmless URL in the viewer's own
// page.

const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

export function publicOrigin(headers: Headers, pinned: string | undefined): string {
  if (pinned) {
    try {
      return new URL(pinned).origin;
    } catch {
      // a malformed NEXTAUTH_URL fails sign-in loudly elsewhere; fall back to the request here
    }
  }
  const first = (v: string | null) => v?.split(",")[0]?.trim() || null;
  const host = [first(headers.get("x-forwarded-host")), first(headers.get("host"))].find((h) => h && HOST.test(h));
  if (!host) return "http://localhost:3000";
  const proto = first(headers.get("x-forwarded-proto"));
  return `${proto === "https" || proto === "http" ? proto : "http"}://${host}`;
}
