import "server-only";
import { AppError } from "../errors.ts";
import {
  can,
  permissionsOf,
  scopeFor,
  scopesAllow,
  type Permission,
  type Role,
  type TokenScope,
} from "./permissions.ts";

// Who is asking. Every data-access function takes a Principal and checks its
// permission first; route handlers and pages obtain one from the session
// (re-read from the database on every request) or a personal read token.

type UserPrincipal = {
  kind: "user";
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  ip?: string;
};

export type Principal =
  | (UserPrincipal & { via: "session" })
  /** A personal read token: the user's role, narrowed to the token's scopes. */
  | (UserPrincipal & { via: "token"; scopes: readonly TokenScope[] })
  | { kind: "system"; role: "admin"; email: string; via: "cli"; ip?: undefined; userId?: undefined; name?: undefined };

export function assertCan(p: Principal | null, permission: Permission): asserts p is Principal {
  if (!p)
    throw new AppError("unauthorized", "Sign in, or send a personal read token as `Authorization: Bearer <token>`.");
  if (!can(p.role, permission)) {
    throw new AppError("forbidden", `Your role (${p.role}) does not allow ${permission}.`);
  }
  if (p.kind === "user" && p.via === "token" && !scopesAllow(p.scopes, permission)) {
    const scope = scopeFor(permission);
    throw new AppError(
      "forbidden",
      scope
        ? `This read token does not have the ${scope} scope. An admin can create one that does: ledgerline tokens create --email ${p.email} --scope ${scope} (or Admin → Read tokens).`
        : `${permission} is not available to read tokens; sign in to the dashboard.`,
    );
  }
}

export function actorOf(p: Principal): { id: string; ip?: string; source?: string } {
  return p.kind === "system" ? { id: p.email, source: "ledgerline:cli" } : { id: p.email, ip: p.ip };
}

/** The operator acting outside any session (the CLI, the demo seeder): an admin whose changes are audited as the CLI's. */
export function systemPrincipal(email: string): Principal {
  return { kind: "system", role: "admin", email, via: "cli" };
}

/** What `p` may do now: its role's permissions, narrowed to its scopes for a read token. */
export function effectivePermissions(p: Principal): Permission[] {
  const all = permissionsOf(p.role);
  return p.kind === "user" && p.via === "token" ? all.filter((x) => scopesAllow(p.scopes, x)) : all;
}
