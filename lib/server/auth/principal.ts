import "server-only";
import { AppError } from "../errors.ts";
import { can, type Permission, type Role } from "./permissions.ts";

// Who is asking. Every data-access function takes a Principal and checks its
// permission first; route handlers and pages obtain one from the session
// (re-read from the database on every request) or a personal read token.

export type Principal =
  | {
      kind: "user";
      userId: string;
      email: string;
      name: string | null;
      role: Role;
      via: "session" | "token";
      ip?: string;
    }
  | { kind: "system"; role: "admin"; email: string; via: "cli"; ip?: undefined; userId?: undefined; name?: undefined };

export function assertCan(p: Principal | null, permission: Permission): asserts p is Principal {
  if (!p)
    throw new AppError("unauthorized", "Sign in, or send a personal read token as `Authorization: Bearer <token>`.");
  if (!can(p.role, permission)) {
    throw new AppError("forbidden", `Your role (${p.role}) does not allow ${permission}.`);
  }
}

export function actorOf(p: Principal): { id: string; ip?: string; source?: string } {
  return p.kind === "system" ? { id: p.email, source: "ledgerline:cli" } : { id: p.email, ip: p.ip };
}

/** The operator acting outside any session (the CLI, the demo seeder): an admin whose changes are audited as the CLI's. */
export function systemPrincipal(email: string): Principal {
  return { kind: "system", role: "admin", email, via: "cli" };
}
