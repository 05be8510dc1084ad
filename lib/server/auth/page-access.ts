import "server-only";
import { forbidden } from "next/navigation";
import { PERMISSIONS, type Permission, type Role } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { pagePrincipal, sessionPrincipal } from "./session.ts";

// Pages a role may not open answer HTTP 403 (Next's forbidden() renders the
// segment's forbidden.tsx with that status) and say which roles may. The call
// must come before anything streams: a page or layout without a loading.tsx
// above it, or the status is already 200.

/** The signed-in principal allowed `permission`; otherwise sign-in (no session) or 403. */
export async function requirePagePermission(from: string, permission: Permission): Promise<Principal> {
  const { principal, allowed } = await pagePrincipal(from, permission);
  if (!allowed) forbidden();
  return principal;
}

/** What a forbidden page says: the viewer's role and the roles that would be allowed. */
export async function forbiddenFacts(permission: Permission): Promise<{ role: Role | null; allowed: readonly Role[] }> {
  const principal = await sessionPrincipal();
  return { role: principal?.role ?? null, allowed: PERMISSIONS[permission] };
}
