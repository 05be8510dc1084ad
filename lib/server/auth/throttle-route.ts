import "server-only";
import { THROTTLED_ERROR } from "./throttle.ts";

/**
 * A credentials attempt refused by the sign-in throttle reaches next-auth as an
 * error thrown by `authorize`, which next-auth answers with a 401 (or a redirect)
 * naming `error=TooManyAttempts:<seconds>`. This turns that answer into a 429 with
 * Retry-After, keeping next-auth's `{url}` shape so its client reports the error.
 * Whatever the request's encoding, next-auth parsed it and `authorize` counted it.
 */
export async function throttledAsTooManyRequests(req: Request, res: Response): Promise<Response> {
  if (res.status !== 401 && res.status !== 302) return res;
  if (!new URL(req.url).pathname.endsWith("/callback/credentials")) return res;
  let target = res.headers.get("location");
  if (!target) {
    try {
      target = ((await res.clone().json()) as { url?: string }).url ?? null;
    } catch {
      return res;
    }
  }
  if (!target) return res;
  let url: URL;
  try {
    url = new URL(target, req.url);
  } catch {
    return res;
  }
  const m = new RegExp(`^${THROTTLED_ERROR}:(\\d{1,6})$`).exec(url.searchParams.get("error") ?? "");
  if (!m) return res;
  const wait = Number(m[1]);
  const headers = new Headers({
    "content-type": "application/json",
    "retry-after": String(wait),
    "cache-control": "no-store",
  });
  for (const c of res.headers.getSetCookie()) headers.append("set-cookie", c);
  return new Response(JSON.stringify({ url: `${url.origin}/login?error=${THROTTLED_ERROR}&retryAfter=${wait}` }), {
    status: 429,
    headers,
  });
}
