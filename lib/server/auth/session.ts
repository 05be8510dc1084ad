import "server-only";
import type { AuthOptions } from "next-auth";
import { getServerSession } from "next-auth/next";
import { headers } from "next/headers";
import { cache } from "react";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/schemas/callback-path.ts";
import { getRuntime } from "../runtime/runtime.ts";
import { bearerToken } from "./bearer-secrets.ts";
import { assertReadAllowed } from "../http/read-limit.ts";
import { principalFromReadToken } from "./read-tokens.ts";
import { clientIp } from "./client-ip.ts";
import { buildAuthOptions } from "./options.ts";
import { can, isRole, type Permission } from "./permissions.ts";
import type { Principal } from "./principal.ts";

// Turning a request into a Principal, for pages, server actions and route
// handlers of the running server. (Integration tests build principals directly.)

/** next-auth's options for the process's runtime, built once. */
export async function authOptions(): Promise<AuthOptions> {
  const rt = await getRuntime();
  return (rt.auth.options ??= buildAuthOptions(rt));
}

/**
 * The signed-in user of this request (session re-read from the database), or
 * null. Wrapped in React's cache(): the layout and the page of one render share
 * one session read instead of each re-reading the user.
 */
export const sessionPrincipal = cache(async (): Promise<Principal | null> => {
  const s = await getServerSession(await authOptions());
  const u = s?.user as { id?: string; email?: string; name?: string | null; role?: string } | undefined;
  if (!u?.id || !u.email || !isRole(u.role)) return null;
  return {
    kind: "user",
    userId: u.id,
    email: u.email,
    name: u.name ?? null,
    role: u.role,
    via: "session",
    ip: clientIp(await headers(), (await getRuntime()).config.trustProxy),
  };
});

/**
 * A route handler's caller: a personal read token (Authorization: Bearer llr_…) or
 * the session. A read (GET/HEAD) draws on the caller's read rate (429 past it).
 */
export async function requestPrincipal(req: Request): Promise<Principal | null> {
  const ledger = await getRuntime();
  const token = bearerToken(req);
  const p = token
    ? await principalFromReadToken(ledger, token, clientIp(req.headers, ledger.config.trustProxy))
    : await sessionPrincipal();
  if (p && (req.method === "GET" || req.method === "HEAD")) assertReadAllowed(ledger.config, p, ledger.readLimiter);
  return p;
}

/**
 * For pages: the signed-in principal, or a redirect to the sign-in page. With a
 * permission the role lacks, returns { principal, allowed: false } so the page
 * can render its forbidden state (the layout still shows who is signed in).
 */
export async function pagePrincipal(
  from: string,
  permission?: Permission,
): Promise<{ principal: Principal; allowed: boolean }> {
  const principal = await sessionPrincipal();
  if (!principal) redirect(`/login?callbackUrl=${encodeURIComponent(safeCallbackPath(from))}`);
  return { principal, allowed: permission ? can(principal.role, permission) : true };
}
