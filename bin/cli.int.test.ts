import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { v1Routes } from "@/lib/server/http/v1.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { DIALECTS, event, freshStore, type TestStore } from "@/test/support/stores.ts";

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

  it("keys create / list / revoke, against a running ledger", async () => {
    store = await freshStore(dialect);
    const created = cli(store, ["keys", "create", "--source", "spiffe://cli.example/ns/a/sa/b", "--json"]);
    expect(created.code, created.err).toBe(0);
    const k = JSON.parse(created.out);
    expect(Object.keys(k).sort()).toEqual(["id", "key", "source"]);
    expect(k.source).toBe("spiffe://cli.example/ns/a/sa/b");

    const ledger = await openLedger(store.config);
    try {
      const routes = v1Routes(async () => ledger);
      const send = () =>
        routes.postEvents(
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
      expect(JSON.stringify(keys)).not.toContain(k.key.split("_")[2]);
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
    expect(cli(store, ["keys", "revoke", "nope"]).err).toContain("No ingest key");
    expect(cli(store, ["frobnicate"]).code).toBe(2);
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
    await attacker.exec(dialect === "sqlite" ? "DROP TRIGGER entries_no_update" : "ALTER TABLE entries DISABLE TRIGGER entries_no_update");
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
