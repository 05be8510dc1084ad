import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_SOURCE } from "@/lib/server/audit/audit-trail.ts";
import { verifyPassword } from "@/lib/server/auth/passwords.ts";
import { principalFromReadToken } from "@/lib/server/auth/read-tokens.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { DIALECTS, event, freshStore, openRuntime, testApi, type TestStore } from "@/test/support/stores.ts";

// The real `ledgerline` command (bin/ledgerline.mjs) on the same store as the
// server: keys it creates authenticate, keys it revokes stop working at once,
// verify-log's exit code and JSON tell intact from tampered.

const bin = path.resolve(import.meta.dirname, "ledgerline.mjs");

function cli(store: TestStore, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, ...store.env, NODE_OPTIONS: "" },
    input,
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(DIALECTS)("ledgerline CLI on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  it("seed refuses in production and prints no password or key (issue 13 item 9)", async () => {
    // Security regression: `ledgerline seed` put demo users (passwords printed) and an ingest key into a production store.
    store = await freshStore(dialect, { LEDGERLINE_ENV: "production" });
    const r = cli(store, ["seed"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("never seeded in production");
    expect(r.out + r.err).not.toMatch(/llk_|demo login/);
    const ledger = await openLedger(store.config);
    try {
      expect(await ledger.prisma.user.count()).toBe(0);
      expect(await ledger.prisma.ingestKey.count()).toBe(0);
    } finally {
      await ledger.close();
    }
  });

  it("keys create / list / revoke, against a running ledger", async () => {
    store = await freshStore(dialect);
    const created = cli(store, ["keys", "create", "--source", "spiffe://cli.example/ns/a/sa/b", "--json"]);
    expect(created.code, created.err).toBe(0);
    const k = JSON.parse(created.out);
    expect(Object.keys(k).sort()).toEqual(["id", "key", "source"]);
    expect(k.source).toBe("spiffe://cli.example/ns/a/sa/b");

    const ledger = await openRuntime(store.config);
    try {
      const routes = testApi(ledger);
      const send = () =>
        routes.events.post(
          new Request("http://x/api/v1/events", {
            method: "POST",
            body: JSON.stringify(event()),
            headers: { authorization: `Bearer ${k.key}`, "content-type": "application/json" },
          }),
          {},
        );
      expect((await send()).status).toBe(201);

      const list = cli(store, ["keys", "list", "--json"]);
      expect(list.code).toBe(0);
      const keys = JSON.parse(list.out);
      expect(keys).toHaveLength(1);
      expect(keys[0]).not.toHaveProperty("secretHash");
      expect(JSON.stringify(keys)).not.toContain(k.key.slice("llk_".length + 13));
      expect(keys[0].lastUsedAt).not.toBeNull();

      const revoked = cli(store, ["keys", "revoke", k.id]);
      expect(revoked.code).toBe(0);
      expect(revoked.out).toContain("Revoked");
      expect((await send()).status).toBe(401);
      expect(JSON.parse(cli(store, ["keys", "list", "--json"]).out)[0].revokedAt).toBeTruthy();
    } finally {
      await ledger.close();
    }
    // Human text by default; clear errors and exit 2 for bad usage.
    expect(cli(store, ["keys", "list"]).out).toContain("revoked");
    const bad = cli(store, ["keys", "create"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--source");
    expect(cli(store, ["keys", "create", "--source", "has space"]).code).toBe(1);
    // Security regression (issue 13 item 4): the meta-audit's own sources cannot be bound to a key.
    const reserved = cli(store, ["keys", "create", "--source", "ledgerline:dashboard"]);
    expect(reserved.code).toBe(1);
    expect(reserved.err).toContain("reserved for Ledgerline's own meta-audit records");
    expect(cli(store, ["keys", "revoke", "nope"]).err).toContain("No ingest key");
    expect(cli(store, ["frobnicate"]).code).toBe(2);
  });

  it("tokens create --scope grants scopes within the user's role only (issue 13 item 11)", async () => {
    store = await freshStore(dialect);
    const user = (email: string, role: string) =>
      cli(store, ["users", "create", "--email", email, "--role", role, "--password-stdin"], "long enough passphrase\n");
    expect(user("ana@example.com", "analyst").code).toBe(0);
    expect(user("aud@example.com", "auditor").code).toBe(0);
    const over = cli(store, ["tokens", "create", "--email", "ana@example.com", "--scope", "bundles:create"]);
    expect(over.code).toBe(1);
    expect(over.err).toContain("a token never exceeds its user's role");
    const ok = cli(store, [
      "tokens",
      "create",
      "--email",
      "aud@example.com",
      "--scope",
      "bundles:create,integrity:run",
      "--json",
    ]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).scopes).toEqual(["events:read", "bundles:create", "integrity:run"]);
    expect(cli(store, ["tokens", "list"]).out).toContain("scopes events:read,bundles:create,integrity:run");
  });

  it("users create / set-role / disable / reset-password and tokens create / revoke, each audited as the CLI", async () => {
    store = await freshStore(dialect);
    // Password on stdin, one trailing newline dropped; JSON for scripts, no password echoed back.
    const ana = cli(
      store,
      [
        "users",
        "create",
        "--email",
        "Ana@Example.com",
        "--role",
        "auditor",
        "--name",
        "Ana",
        "--password-stdin",
        "--json",
      ],
      "correct horse battery staple\n",
    );
    expect(ana.code, ana.err).toBe(0);
    const anaJson = JSON.parse(ana.out);
    expect(anaJson).toEqual({
      user: expect.objectContaining({ email: "ana@example.com", role: "auditor", name: "Ana", disabledAt: null }),
    });
    expect(ana.out).not.toContain("correct horse");

    // Without --password-stdin: generated, printed once in the human text.
    const bob = cli(store, ["users", "create", "--email", "bob@example.com", "--role", "analyst"]);
    expect(bob.code, bob.err).toBe(0);
    expect(bob.out).toContain("shown once");
    const bobPassword = /^\s+([a-z2-9]{5}(?:-[a-z2-9]{5}){3})$/m.exec(bob.out)?.[1];
    expect(bobPassword).toBeTruthy();

    // Refusals: a weak password (exit 1, a clear reason), bad usage (exit 2, what to type).
    const weak = cli(
      store,
      ["users", "create", "--email", "carl@example.com", "--role", "analyst", "--password-stdin"],
      "hunter2\n",
    );
    expect(weak.code).toBe(1);
    expect(weak.err).toContain("password must be at least 12 characters");
    // Usage errors never reach the store: checked once, on SQLite.
    const usage: Array<[string[], string, string?]> = [
      [["users", "create", "--role", "analyst"], "--email"],
      [["users", "create", "--email", "x@example.com"], "--role"],
      [["users", "create", "--email", "x@example.com", "--role", "boss"], "admin, auditor, analyst"],
      [
        ["users", "create", "--email", "x@example.com", "--role", "analyst", "--password-stdin"],
        "nothing was read",
        "",
      ],
      [["users", "set-role", "ana@example.com"], "set-role needs"],
      [["users", "disable"], "disable needs <email>"],
      [["users", "frobnicate"], "Unknown command"],
      [["tokens", "create"], "--email"],
      [["tokens", "revoke"], "tokens revoke needs"],
      [["users", "create", "--email", "x@example.com", "--role", "analyst", "--bogus"], "bogus"],
    ];
    for (const [args, says, input] of dialect === "sqlite" ? usage : usage.slice(0, 1)) {
      const r = cli(store, args, input);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err, args.join(" ")).toContain(says);
    }

    const ledger = await openLedger(store.config);
    try {
      const row = (email: string) => ledger.prisma.user.findUniqueOrThrow({ where: { email } });
      expect(await verifyPassword("correct horse battery staple", (await row("ana@example.com")).passwordHash)).toBe(
        true,
      );
      expect(await verifyPassword(bobPassword!, (await row("bob@example.com")).passwordHash)).toBe(true);
      expect(await ledger.prisma.user.count()).toBe(2);

      const setRole = cli(store, ["users", "set-role", "ana@example.com", "analyst", "--json"]);
      expect(setRole.code, setRole.err).toBe(0);
      expect(JSON.parse(setRole.out).role).toBe("analyst");

      const created = cli(store, [
        "tokens",
        "create",
        "--email",
        "ana@example.com",
        "--name",
        "export script",
        "--json",
      ]);
      expect(created.code, created.err).toBe(0);
      const t = JSON.parse(created.out);
      expect(Object.keys(t).sort()).toEqual(["email", "id", "scopes", "token"]);
      expect(t.email).toBe("ana@example.com");
      expect(t.scopes).toEqual(["events:read"]);
      expect((await principalFromReadToken(ledger, t.token))?.role).toBe("analyst");

      expect(cli(store, ["users", "disable", "ana@example.com"]).out).toContain("Disabled ana@example.com");
      expect((await row("ana@example.com")).disabledAt).toBeTruthy();
      expect(await principalFromReadToken(ledger, t.token)).toBeNull();
      expect(cli(store, ["users", "enable", "ana@example.com"]).code).toBe(0);
      expect((await principalFromReadToken(ledger, t.token))?.email).toBe("ana@example.com");

      const v0 = (await row("bob@example.com")).sessionVersion;
      const reset = cli(
        store,
        ["users", "reset-password", "bob@example.com", "--password-stdin"],
        "a brand new passphrase\n",
      );
      expect(reset.code, reset.err).toBe(0);
      expect(reset.out).not.toContain("a brand new passphrase");
      expect((await row("bob@example.com")).sessionVersion).toBe(v0 + 1);
      expect(await verifyPassword("a brand new passphrase", (await row("bob@example.com")).passwordHash)).toBe(true);
      const generated = JSON.parse(cli(store, ["users", "reset-password", "bob@example.com", "--json"]).out);
      expect(await verifyPassword(generated.password, (await row("bob@example.com")).passwordHash)).toBe(true);

      const users = cli(store, ["users", "list", "--json"]);
      expect(JSON.parse(users.out).map((u: { email: string }) => u.email)).toEqual([
        "ana@example.com",
        "bob@example.com",
      ]);
      expect(users.out).not.toMatch(/passwordHash|scrypt/);
      expect(cli(store, ["users", "list"]).out).toMatch(/^ana@example\.com\s+analyst\s+active/m);

      const tokens = cli(store, ["tokens", "list", "--json"]);
      expect(JSON.parse(tokens.out)).toEqual([
        expect.objectContaining({ id: t.id, userEmail: "ana@example.com", name: "export script", revokedAt: null }),
      ]);
      expect(tokens.out).not.toContain(t.token.slice(17));
      const revoked = cli(store, ["tokens", "revoke", t.id]);
      expect(revoked.code, revoked.err).toBe(0);
      expect(await principalFromReadToken(ledger, t.token)).toBeNull();
      expect(cli(store, ["tokens", "revoke", "nope"]).err).toContain("No read token");

      // Every change, and only the changes, is in the log as the operator at the shell.
      const entries = await ledger.prisma.entry.findMany({ orderBy: { seq: "asc" } });
      expect(entries.map((e) => e.action)).toEqual([
        "user.create",
        "user.create",
        "user.set-role",
        "read-token.create",
        "user.disable",
        "user.enable",
        "user.reset-password",
        "user.reset-password",
        "read-token.revoke",
      ]);
      for (const e of entries) {
        expect(e.source).toBe(CLI_SOURCE);
        expect(e.requesterType).toBe("user");
        expect(e.requesterId).toMatch(/^.+@.+$/);
      }
    } finally {
      await ledger.close();
    }
  });

  it("signing-key show, checkpoint and verify-log (exit 0 intact, 1 tampered, JSON naming firstBadSeq and reason)", async () => {
    store = await freshStore(dialect);
    const ledger = await openLedger(store.config);
    const { validateEvent } = await import("@/lib/schemas/event.ts");
    const events = Array.from({ length: 40 }, () => {
      const r = validateEvent(event());
      if (!r.ok) throw new Error("fixture");
      return r.event;
    });
    await ledger.sequencer.append("spiffe://cli/a", events);
    const key = await ledger.signingKey();
    await ledger.close();

    const shown = JSON.parse(cli(store, ["signing-key", "show", "--json"]).out);
    expect(shown.verifierKey).toBe(key.verifierKey);
    expect(shown.publicKeyPem).toContain("BEGIN PUBLIC KEY");

    const cp = JSON.parse(cli(store, ["checkpoint", "--json"]).out);
    expect(cp.treeSize).toBe(40);

    const ok = cli(store, ["verify-log", "--json"]);
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, treeSize: 40, checkpoints: 1, firstBadSeq: null });
    expect(ok.err).toContain("40 / 40");
    const pinned = cli(store, ["verify-log", "--key", key.verifierKey]);
    expect(pinned.code).toBe(0);
    expect(pinned.out).toMatch(/^OK: 40 entries verified/);
    // Pinned to some other key, the checkpoints no longer count as signed.
    const other = cli(store, ["verify-log", "--json", "--key", "other+00000000+AQ" + "A".repeat(42) + "="]);
    expect(other.code).not.toBe(0);

    const attacker = await store.attacker();
    await attacker.exec(
      dialect === "sqlite" ? "DROP TRIGGER entries_no_update" : "ALTER TABLE entries DISABLE TRIGGER entries_no_update",
    );
    await attacker.exec("UPDATE entries SET target_id = 'db://elsewhere' WHERE seq = 17");
    await attacker.close();
    const bad = cli(store, ["verify-log", "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({
      ok: false,
      firstBadSeq: 17,
      reason: expect.stringContaining("entry 17"),
      guards: [expect.stringContaining("entries_no_update")],
    });
    // The server, meanwhile, refuses to start on the unguarded store.
    expect(cli(store, ["migrate"]).err).toMatch(/refuses to start/);
  });
});
