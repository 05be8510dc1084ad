import "server-only";
import { AppError } from "../errors.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "./principal.ts";
import { can, isRole, isTokenScope, parseScopes, TOKEN_SCOPES, type TokenScope } from "./permissions.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { bearerSecretId, dueForLastUsed, newBearerSecret, secretMatches } from "./bearer-secrets.ts";
import { nowIso } from "../db/ids.ts";

// Personal read tokens, for auditors' scripts. A token acts as its user with
// the user's CURRENT role (re-read on every request), so a role change or a
// disabled account applies to scripts at once, narrowed to the token's scopes
// (events:read always; bundles:create, integrity:run only when granted at
// creation, and only if the role has them). Shown once, stored hashed.

export type ReadTokenInfo = {
  id: string;
  userEmail: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  scopes: TokenScope[];
};

/** The scopes asked for, checked against the user's role: events:read first, then in table order. */
function grantableScopes(requested: readonly string[], user: { email: string; role: string }): TokenScope[] {
  const unknown = requested.filter((s) => !isTokenScope(s));
  if (unknown.length) {
    throw new AppError(
      "validation",
      `Unknown token scope ${unknown.map((s) => JSON.stringify(s)).join(", ")}; a token may have ${TOKEN_SCOPES.join(", ")}.`,
      { errors: unknown.map(() => ({ pointer: "/scopes", detail: "is not a token scope" })) },
    );
  }
  const wanted = new Set<string>(["events:read", ...requested]);
  const scopes = TOKEN_SCOPES.filter((s) => wanted.has(s));
  const beyond = scopes.filter((s) => !isRole(user.role) || !can(user.role, s));
  if (beyond.length) {
    throw new AppError(
      "validation",
      `${user.email} is ${/^[aeiou]/.test(user.role) ? "an" : "a"} ${user.role}, whose role does not allow ${beyond.join(", ")}; a token never exceeds its user's role.`,
      { errors: beyond.map((s) => ({ pointer: "/scopes", detail: `${s} is beyond the role ${user.role}` })) },
    );
  }
  return scopes;
}

export async function createReadToken(
  ledger: Ledger,
  p: Principal,
  email: string,
  name?: string,
  requestedScopes: readonly string[] = [],
): Promise<{ id: string; token: string; email: string; scopes: TokenScope[] }> {
  assertCan(p, "tokens:manage");
  const user = await ledger.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) throw new AppError("not_found", `No user ${email}.`);
  if (user.disabledAt) throw new AppError("conflict", `${user.email} is disabled; enable the account first.`);
  const scopes = grantableScopes(requestedScopes, user);
  const { id, secret: token, hash } = newBearerSecret("llr");
  await ledger.prisma.readToken.create({
    data: {
      id,
      userId: user.id,
      name: name?.trim().slice(0, 200) || null,
      secretHash: hash,
      createdAt: nowIso(),
      scopes: scopes.join(" "),
    },
  });
  await recordAudit(ledger, actorOf(p), {
    action: "read-token.create",
    eventType: "write",
    outcome: "success",
    target: { id: `ledgerline://users/${user.email}/tokens/${id}`, type: "read-token" },
    attributes: { scopes },
  });
  return { id, token, email: user.email, scopes };
}

export async function listReadTokens(ledger: Ledger, p: Principal): Promise<ReadTokenInfo[]> {
  assertCan(p, "tokens:manage");
  const rows = await ledger.prisma.readToken.findMany({
    include: { user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({
    id: r.id,
    userEmail: r.user.email,
    name: r.name,
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
    scopes: parseScopes(r.scopes),
  }));
}

export async function revokeReadToken(ledger: Ledger, p: Principal, id: string): Promise<void> {
  assertCan(p, "tokens:manage");
  const row = await ledger.prisma.readToken.findUnique({
    where: { id },
    include: { user: { select: { email: true } } },
  });
  if (!row) throw new AppError("not_found", `No read token ${id}.`);
  if (!row.revokedAt) await ledger.prisma.readToken.update({ where: { id }, data: { revokedAt: nowIso() } });
  await recordAudit(ledger, actorOf(p), {
    action: "read-token.revoke",
    eventType: "delete",
    outcome: "success",
    target: { id: `ledgerline://users/${row.user.email}/tokens/${id}`, type: "read-token" },
  });
}

/** The principal a bearer read token stands for, or null (unknown, revoked, or its user disabled). */
export async function principalFromReadToken(ledger: Ledger, token: string, ip?: string): Promise<Principal | null> {
  const id = bearerSecretId("llr", token);
  if (!id) return null;
  const row = await ledger.prisma.readToken.findUnique({ where: { id }, include: { user: true } });
  if (!row || row.revokedAt || row.user.disabledAt || !isRole(row.user.role) || !secretMatches(token, row.secretHash))
    return null;
  if (dueForLastUsed(row.id)) {
    await ledger.prisma.readToken
      .update({ where: { id: row.id }, data: { lastUsedAt: nowIso() } })
      .catch(() => undefined);
  }
  return {
    kind: "user",
    userId: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: row.user.role,
    via: "token",
    scopes: parseScopes(row.scopes),
    ip,
  };
}
