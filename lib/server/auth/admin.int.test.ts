import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger } from "@/test/support/stores.ts";
import { CLI_SOURCE, DASHBOARD_SOURCE } from "../audit/audit-trail.ts";
import { verifyPassword } from "./passwords.ts";
import type { Role } from "./permissions.ts";
import { systemPrincipal, type Principal } from "./principal.ts";
import { AppError } from "../errors.ts";
import { createIngestKey, listIngestKeys, revokeIngestKey } from "../ingest/ingest-keys.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { createReadToken, listReadTokens, principalFromReadToken, revokeReadToken } from "./read-tokens.ts";
import { createUser, listUsers, resetUserPassword, setUserDisabled, setUserRole } from "./users.ts";

// Administration through the data-access layer, on real stores. The guarded
// bug: an admin function reachable without the right role (or without any
// principal) — e.g. a server action or CLI path that forgot its check. Every
// function is tried by every role; only admin may, and each change it makes is
// appended to the log as a meta-audit entry naming the human.

const IP = "192.0.2.10";
const SETUP = systemPrincipal("fixture@test");

function userPrincipal(u: { id: string; email: string }, role: Role): Principal {
  return { kind: "user", userId: u.id, email: u.email, name: null, role, via: "session", ip: IP };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

/** Everything an admin function could change, to prove a refused call changed nothing. */
async function snapshot(ledger: Ledger) {
  const [users, tokens, keys, entries] = await Promise.all([
    ledger.prisma.user.findMany({ orderBy: { id: "asc" } }),
    ledger.prisma.readToken.findMany({ orderBy: { id: "asc" } }),
    ledger.prisma.ingestKey.findMany({ orderBy: { id: "asc" } }),
    ledger.prisma.entry.count(),
  ]);
  return JSON.stringify({ users, tokens, keys, entries });
}

async function entriesAfter(ledger: Ledger, seq: number) {
  return ledger.prisma.entry.findMany({ where: { seq: { gt: BigInt(seq) } }, orderBy: { seq: "asc" } });
}

type Fixture = { ledger: Ledger; tokenId: string; keyId: string; users: Record<Role, { id: string; email: string }> };

type Op = {
  name: string;
  call: (f: Fixture, p: Principal) => Promise<unknown>;
  /** For changes: the meta-audit entry an admin's call appends. */
  audit?: { action: string; target: (f: Fixture, result: unknown) => string };
};

let n = 0;
const OPS: Op[] = [
  { name: "listUsers", call: (f, p) => listUsers(f.ledger, p) },
  {
    name: "createUser",
    call: (f, p) => createUser(f.ledger, p, { email: `new-${++n}@example.com`, role: "analyst" }),
    audit: {
      action: "user.create",
      target: (_, r) => `ledgerline://users/${(r as { user: { email: string } }).user.email}`,
    },
  },
  {
    name: "setUserRole",
    call: (f, p) => setUserRole(f.ledger, p, "role-target@example.com", "auditor"),
    audit: { action: "user.set-role", target: () => "ledgerline://users/role-target@example.com" },
  },
  {
    name: "setUserDisabled",
    call: (f, p) => setUserDisabled(f.ledger, p, "disable-target@example.com", true),
    audit: { action: "user.disable", target: () => "ledgerline://users/disable-target@example.com" },
  },
  {
    name: "resetUserPassword",
    call: (f, p) => resetUserPassword(f.ledger, p, "reset-target@example.com"),
    audit: { action: "user.reset-password", target: () => "ledgerline://users/reset-target@example.com" },
  },
  {
    name: "createReadToken",
    call: (f, p) => createReadToken(f.ledger, p, "token-target@example.com", "script"),
    audit: {
      action: "read-token.create",
      target: (_, r) => `ledgerline://users/token-target@example.com/tokens/${(r as { id: string }).id}`,
    },
  },
  { name: "listReadTokens", call: (f, p) => listReadTokens(f.ledger, p) },
  {
    name: "revokeReadToken",
    call: (f, p) => revokeReadToken(f.ledger, p, f.tokenId),
    audit: {
      action: "read-token.revoke",
      target: (f) => `ledgerline://users/token-target@example.com/tokens/${f.tokenId}`,
    },
  },
  {
    name: "createIngestKey",
    call: (f, p) => createIngestKey(f.ledger, p, "spiffe://test.example/ns/new/sa/svc", "made in a test"),
    audit: { action: "ingest-key.create", target: (_, r) => `ledgerline://ingest-keys/${(r as { id: string }).id}` },
  },
  { name: "listIngestKeys", call: (f, p) => listIngestKeys(f.ledger, p) },
  {
    name: "revokeIngestKey",
    call: (f, p) => revokeIngestKey(f.ledger, p, f.keyId),
    audit: { action: "ingest-key.revoke", target: (f) => `ledgerline://ingest-keys/${f.keyId}` },
  },
];

describe.each(DIALECTS)("admin permission matrix on %s", (dialect) => {
  let f: Fixture;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await freshLedger(dialect);
    cleanup = opened.cleanup;
    const ledger = opened.ledger;
    const users = {} as Fixture["users"];
    for (const role of ["admin", "auditor", "analyst"] as const) {
      users[role] = (
        await createUser(ledger, SETUP, { email: `${role}@example.com`, role, password: "a long enough password" })
      ).user;
    }
    for (const t of ["role-target", "disable-target", "reset-target", "token-target"]) {
      await createUser(ledger, SETUP, { email: `${t}@example.com`, role: "analyst" });
    }
    const tokenId = (await createReadToken(ledger, SETUP, "token-target@example.com")).id;
    const keyId = (await createIngestKey(ledger, SETUP, "spiffe://test.example/ns/shop/sa/orders")).id;
    f = { ledger, tokenId, keyId, users };
  });
  afterAll(async () => cleanup?.());

  const cells = OPS.flatMap((op) => (["admin", "auditor", "analyst", null] as const).map((role) => ({ op, role })));

  it.each(cells)("$op.name as $role", async ({ op, role }) => {
    const p = role ? userPrincipal(f.users[role], role) : null;
    const before = await snapshot(f.ledger);
    const seq = await f.ledger.prisma.entry.count();
    const call = op.call(f, p as Principal);

    if (role !== "admin") {
      const code = await codeOf(call);
      expect(code).toBe(role === null ? "unauthorized" : "forbidden");
      // Refused before touching anything: no change, no entry.
      expect(await snapshot(f.ledger)).toBe(before);
      return;
    }

    const result = await call;
    const added = await entriesAfter(f.ledger, seq);
    if (!op.audit) {
      expect(Array.isArray(result)).toBe(true);
      expect(added).toHaveLength(0);
      return;
    }
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      source: DASHBOARD_SOURCE,
      requesterId: "admin@example.com",
      requesterType: "user",
      requesterIp: IP,
      action: op.audit.action,
      targetId: op.audit.target(f, result),
      targetService: "ledgerline",
      outcome: "success",
    });
  });

  it("lists return serialized rows, never secrets", async () => {
    const admin = userPrincipal(f.users.admin, "admin");
    const all = JSON.stringify([
      await listUsers(f.ledger, admin),
      await listReadTokens(f.ledger, admin),
      await listIngestKeys(f.ledger, admin),
    ]);
    expect(all).not.toMatch(/passwordHash|secretHash|sessionVersion|scrypt\$/);
    expect((await listUsers(f.ledger, admin)).map((u) => u.email)).toContain("auditor@example.com");
  });
});

describe.each(DIALECTS)("admin changes on %s", (dialect) => {
  let ledger: Ledger;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ ledger, cleanup } = await freshLedger(dialect)));
  afterEach(async () => cleanup());

  it("a system principal (the CLI) is audited with source ledgerline:cli and the operator as requester", async () => {
    const ops = systemPrincipal("root@build-host");
    await createUser(ledger, ops, { email: "ana@example.com", role: "auditor" });
    await setUserRole(ledger, ops, "ana@example.com", "analyst");
    const t = await createReadToken(ledger, ops, "ana@example.com");
    await revokeReadToken(ledger, ops, t.id);
    const k = await createIngestKey(ledger, ops, "spiffe://test.example/ns/a/sa/b");
    await revokeIngestKey(ledger, ops, k.id);
    const entries = await entriesAfter(ledger, 0);
    expect(entries.map((e) => e.action)).toEqual([
      "user.create",
      "user.set-role",
      "read-token.create",
      "read-token.revoke",
      "ingest-key.create",
      "ingest-key.revoke",
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({
        source: CLI_SOURCE,
        requesterId: "root@build-host",
        requesterType: "user",
        requesterIp: null,
      });
    }
    expect(JSON.parse(entries[1]!.attributes!)).toEqual({ from: "auditor", to: "analyst" });
    // The key's secret is in no entry.
    expect(JSON.stringify(entries, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(
      k.key.slice("llk_".length + 13),
    );
    // Revoking twice changes nothing and records nothing more.
    expect((await revokeIngestKey(ledger, ops, k.id)).revokedAt).toBeTruthy();
    expect(await ledger.prisma.entry.count()).toBe(6);
  });

  it("principalFromReadToken: the user's current role; null when revoked, disabled, malformed or unknown", async () => {
    const ops = systemPrincipal("ops@test");
    const { user } = await createUser(ledger, ops, { email: "aud@example.com", role: "auditor", name: "Aud" });
    const t = await createReadToken(ledger, ops, "aud@example.com", "export script");

    const p = await principalFromReadToken(ledger, t.token, "198.51.100.7");
    expect(p).toEqual({
      kind: "user",
      userId: user.id,
      email: "aud@example.com",
      name: "Aud",
      role: "auditor",
      via: "token",
      scopes: ["events:read"],
      ip: "198.51.100.7",
    });
    expect((await listReadTokens(ledger, ops))[0]!.lastUsedAt).not.toBeNull();

    // A role change applies to the same token on its next use.
    await setUserRole(ledger, ops, "aud@example.com", "analyst");
    expect((await principalFromReadToken(ledger, t.token))?.role).toBe("analyst");

    // A disabled user's tokens stop; enabled again, they work again.
    await setUserDisabled(ledger, ops, "aud@example.com", true);
    expect(await principalFromReadToken(ledger, t.token)).toBeNull();
    await setUserDisabled(ledger, ops, "aud@example.com", false);
    expect((await principalFromReadToken(ledger, t.token))?.email).toBe("aud@example.com");

    // Malformed, unknown id, right id with a wrong secret.
    // llr_<12-char id>_<43-char secret>; the secret itself may contain "_".
    const id = t.token.slice(4, 16);
    const secret = t.token.slice(17);
    expect(secret).toHaveLength(43);
    const wrong = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    for (const bad of [
      "",
      "garbage",
      `llr_${id}`,
      t.token + "x",
      `llr_aaaaaaaaaaaa_${secret}`,
      `llr_${id}_${wrong}`,
      `llk_${id}_${secret}`,
    ]) {
      expect(await principalFromReadToken(ledger, bad), bad).toBeNull();
    }

    // Revoked: null from then on.
    await revokeReadToken(ledger, ops, t.id);
    expect(await principalFromReadToken(ledger, t.token)).toBeNull();
    expect((await listReadTokens(ledger, ops))[0]!.revokedAt).toBeTruthy();
  });

  it("resetUserPassword bumps session_version and replaces the password (generated once, or the given one)", async () => {
    const ops = systemPrincipal("ops@test");
    await createUser(ledger, ops, { email: "bob@example.com", role: "analyst", password: "the first password" });
    const row = () => ledger.prisma.user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    const v0 = (await row()).sessionVersion;

    const r = await resetUserPassword(ledger, ops, "bob@example.com");
    expect(r.password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(r.user).not.toHaveProperty("passwordHash");
    const after = await row();
    expect(after.sessionVersion).toBe(v0 + 1);
    expect(await verifyPassword("the first password", after.passwordHash)).toBe(false);
    expect(await verifyPassword(r.password!, after.passwordHash)).toBe(true);

    const given = await resetUserPassword(ledger, ops, "bob@example.com", "a chosen new password");
    expect(given.password).toBeUndefined();
    expect((await row()).sessionVersion).toBe(v0 + 2);
    expect(await verifyPassword("a chosen new password", (await row()).passwordHash)).toBe(true);

    expect(await codeOf(resetUserPassword(ledger, ops, "bob@example.com", "short"))).toBe("validation");
    expect((await row()).sessionVersion).toBe(v0 + 2);
    expect(await codeOf(resetUserPassword(ledger, ops, "nobody@example.com"))).toBe("not_found");
  });

  it("an admin cannot lock themselves out; bad input is a validation error, duplicates a conflict", async () => {
    const ops = systemPrincipal("ops@test");
    const { user } = await createUser(ledger, ops, { email: "root@example.com", role: "admin" });
    const me = userPrincipal(user, "admin");
    expect(await codeOf(setUserRole(ledger, me, "root@example.com", "auditor"))).toBe("conflict");
    expect(await codeOf(setUserDisabled(ledger, me, "root@example.com", true))).toBe("conflict");
    expect((await ledger.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("admin");

    expect(await codeOf(createUser(ledger, me, { email: "ROOT@example.com", role: "analyst" }))).toBe("conflict");
    expect(await codeOf(createUser(ledger, me, { email: "not-an-email", role: "analyst" }))).toBe("validation");
    expect(await codeOf(createUser(ledger, me, { email: "x@example.com", role: "superuser" }))).toBe("validation");
    expect(
      await codeOf(createUser(ledger, me, { email: "x@example.com", role: "analyst", password: "too short" })),
    ).toBe("validation");
    expect(await codeOf(createIngestKey(ledger, me, "has space"))).toBe("validation");
    expect(await codeOf(revokeIngestKey(ledger, me, "nope"))).toBe("not_found");
    expect(await codeOf(revokeReadToken(ledger, me, "nope"))).toBe("not_found");
    await setUserDisabled(ledger, ops, "root@example.com", false);
    await createUser(ledger, ops, { email: "off@example.com", role: "auditor" });
    await setUserDisabled(ledger, me, "off@example.com", true);
    expect(await codeOf(createReadToken(ledger, me, "off@example.com"))).toBe("conflict");
    // Only the successful changes were recorded: two user.create, enable, disable.
    expect((await entriesAfter(ledger, 0)).map((e) => e.action)).toEqual([
      "user.create",
      "user.enable",
      "user.create",
      "user.disable",
    ]);
  });
});
