import "server-only";
import { recordAudit } from "../audit/audit-trail.ts";
import { getRuntime } from "../runtime/runtime.ts";
import { ipFromHeaders, SIGN_IN_TARGET } from "./options.ts";

/**
 * 429 for a credentials sign-in from an account or IP over its failure budget,
 * answered before the password is even checked; null to let next-auth proceed.
 * The body keeps next-auth's `{url}` shape so its client reports the error.
 */
export async function signInThrottleResponse(req: Request): Promise<Response | null> {
  const url = new URL(req.url);
  if (!url.pathname.endsWith("/callback/credentials")) return null;
  let email = "";
  try {
    const form = await req.clone().formData();
    email = String(form.get("email") ?? "")
      .trim()
      .toLowerCase();
  } catch {
    return null; // next-auth answers malformed bodies itself
  }
  const ip = ipFromHeaders(req.headers);
  const rt = await getRuntime();
  const t = rt.signIn;
  const wait = Math.max(t.account.retryAfter(email), ip ? t.ip.retryAfter(ip) : 0);
  if (!wait) return null;
  await recordAudit(
    rt,
    { id: email || "unknown", ip },
    {
      action: "sign-in",
      eventType: "authenticate",
      outcome: "denied",
      target: SIGN_IN_TARGET,
      reason: "too many failed attempts (throttled)",
    },
  ).catch(() => undefined);
  return new Response(JSON.stringify({ url: `${url.origin}/login?error=TooManyAttempts&retryAfter=${wait}` }), {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": String(wait), "cache-control": "no-store" },
  });
}
