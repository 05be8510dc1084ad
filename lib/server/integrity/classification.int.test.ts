import { describe, expect, it } from "vitest";
import { DIALECTS, openRuntime, testApi, validEvent as ev } from "@/test/support/stores.ts";
import { eachTamperWorld } from "@/test/support/tamper-world.ts";
import type { Principal } from "../auth/principal.ts";
import { getIntegrityStatus } from "./status.ts";
import { readState, writeState } from "./state.ts";
import { runVerification } from "./index.ts";

// Issue 13 item 12: what the integrity engine calls a tampering, against real
// stores changed by an attacker with raw database access. A swap of two
// neighbours is a reorder (not an insertion); a deleted checkpoint is named
// and stays a failure — incremental, full, after a restart — until an admin
// acknowledges it (itself in the log); an old entry rewritten in place is
// found by incremental runs within the coverage period, and the status says
// when each range was last re-hashed.

const ORIGIN = "test.example/classification";

const admin: Principal = {
  kind: "user",
  userId: "u-admin",
  email: "admin@test",
  name: null,
  role: "admin",
  via: "session",
  ip: "192.0.2.7",
};

describe.each(DIALECTS)("integrity classification on %s", (dialect) => {
  const w = eachTamperWorld(dialect, ORIGIN);

  /** Runs `sql` as the attacker with the append-only guards off, then puts them back exactly (so only the tampering shows). */
  async function tamper(...sql: string[]) {
    const guarded =
      "name IN ('entries_no_update', 'entries_no_delete', 'checkpoints_no_delete', 'checkpoints_no_update')";
    const triggers =
      dialect === "sqlite"
        ? await w.ledger.db.all<{ name: string; sql: string }>(
            `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ${guarded}`,
          )
        : [];
    const off =
      dialect === "sqlite"
        ? triggers.map((t) => `DROP TRIGGER ${t.name}`)
        : ["ALTER TABLE entries DISABLE TRIGGER USER", "ALTER TABLE checkpoints DISABLE TRIGGER USER"];
    const on =
      dialect === "sqlite"
        ? triggers.map((t) => t.sql)
        : ["ALTER TABLE entries ENABLE TRIGGER USER", "ALTER TABLE checkpoints ENABLE TRIGGER USER"];
    for (const s of [...off, ...sql, ...on]) await w.attacker!.exec(s);
  }

  async function verdicts(modes: Array<"incremental" | "full">) {
    const out = [];
    for (const mode of modes) {
      const r = await runVerification(w.ledger, { mode, alert: false });
      out.push({ mode, ok: r.ok, kind: r.kind, firstBadSeq: r.firstBadSeq, reason: r.reason });
    }
    return out;
  }

  it("names two swapped neighbours as reordered, not inserted", async () => {
    await w.build([300, 600], 50);
    await tamper(
      "UPDATE entries SET seq = -1 WHERE seq = 100",
      "UPDATE entries SET seq = 100 WHERE seq = 101",
      "UPDATE entries SET seq = 101 WHERE seq = -1",
    );
    for (const v of await verdicts(["incremental", "full"])) {
      expect(v).toMatchObject({ ok: false, kind: "reordered", firstBadSeq: 100 });
      expect(v.reason).toMatch(/row at seq 100 is the log's entry 101 and the row at seq 101 is the log's entry 100/);
    }
  });

  it("names a deleted checkpoint and keeps it a failure until an admin acknowledges it", async () => {
    await w.build([300, 600], 50);
    const signedAt = (await w.ledger.db.get<{ created_at: string }>(
      "SELECT created_at FROM checkpoints WHERE tree_size = 300",
    ))!.created_at;
    await tamper("DELETE FROM checkpoints WHERE tree_size = 300");
    const named = new RegExp(`checkpoint 300 \\(signed ${signedAt.replace(/[.]/g, "\\.")}, key [0-9a-f]+\\)`);
    for (const v of await verdicts(["incremental", "incremental", "full", "incremental"])) {
      expect(v).toMatchObject({ ok: false, kind: "deleted-checkpoint", firstBadSeq: null });
      expect(v.reason).toMatch(named);
    }
    // New entries still verify (the remembered tree advances) while the deletion stays a failure.
    await w.ledger.sequencer.append("spiffe://test/a", [ev(), ev()]);
    // A restart: a new runtime over the same store and data directory.
    await w.ledger.close();
    w.ledger = await openRuntime(w.store.config);
    const [after] = await verdicts(["incremental"]);
    expect(after).toMatchObject({ ok: false, kind: "deleted-checkpoint" });
    expect(readState(w.store.config.dataDir)).toMatchObject({ treeSize: 652 });
    const st = await getIntegrityStatus(w.ledger);
    expect(st.status).toBe("broken");
    expect(st.deletedCheckpoints).toEqual([expect.objectContaining({ treeSize: 300, signedAt, acknowledged: null })]);

    // Only an admin acknowledges, with a reason; the acknowledgement is in the log before it takes effect.
    let principal: Principal = { ...admin, role: "auditor", email: "auditor@test" };
    const api = testApi(w.ledger, async () => principal).integrity;
    const ack = (body: unknown) =>
      api.acknowledge(
        new Request("http://x/api/v1/integrity/acknowledgements", {
          method: "POST",
          headers: { "content-type": "application/json", origin: "http://ledger.test", host: "ledger.test" },
          body: JSON.stringify(body),
        }),
        {},
      );
    expect((await ack({ treeSizes: [300], reason: "restored from backup" })).status).toBe(403);
    principal = admin;
    expect((await ack({ treeSizes: [300] })).status).toBe(400);
    expect((await ack({ treeSizes: [299], reason: "x" })).status).toBe(404);
    expect(await verdicts(["incremental"])).toMatchObject([{ ok: false, kind: "deleted-checkpoint" }]);
    const res = await ack({ treeSizes: [300], reason: "row lost in the 2026-12 restore, see ticket 42" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ acknowledged: [300] });
    const audit = await w.ledger.db.all<{ requester_id: string; reason: string; attributes: string }>(
      "SELECT requester_id, reason, attributes FROM entries WHERE action = 'integrity.acknowledge'",
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ requester_id: "admin@test", reason: expect.stringMatching(/ticket 42/) });
    expect(JSON.parse(audit[0]!.attributes)).toMatchObject({ deletedCheckpoints: `300@${signedAt}` });
    for (const v of await verdicts(["incremental", "full"])) expect(v).toMatchObject({ ok: true, kind: null });
    // Still listed, as acknowledged: it never silently disappears.
    expect((await getIntegrityStatus(w.ledger)).deletedCheckpoints).toEqual([
      expect.objectContaining({ treeSize: 300, acknowledged: { by: "admin@test", at: expect.any(String) } }),
    ]);
  });

  it("re-hashes the whole log within the coverage period and finds an old entry rewritten in place", async () => {
    // 16 complete chunks of 256 plus a tail; entry 3900 (chunk 15) is rewritten in place, its leaf hash untouched.
    await w.build([4096], 10, { env: { LEDGERLINE_VERIFY_COVERAGE: "24" } });
    const before = await getIntegrityStatus(w.ledger);
    expect(before.coverage).toMatchObject({ periodHours: 24, ranges: [{ from: 1, to: 4106 }] });
    expect(before.coverage.oldest).not.toBeNull();
    // An hour passes: 1/24 of the log (one chunk) is due, the sweep starting at the cursor.
    const st = readState(w.store.config.dataDir)!;
    writeState(w.store.config.dataDir, { ...st, sampledAt: new Date(Date.now() - 3600_000).toISOString() });
    expect(await verdicts(["incremental"])).toMatchObject([{ ok: true }]);
    await tamper("UPDATE entries SET outcome = 'denied', requester_id = 'spiffe://innocent' WHERE seq = 3900");
    // A day passes (a server that was down, or runs that fell behind): the whole log is due at once.
    const st2 = readState(w.store.config.dataDir)!;
    writeState(w.store.config.dataDir, { ...st2, sampledAt: new Date(Date.now() - 24 * 3600_000).toISOString() });
    const [v] = await verdicts(["incremental"]);
    expect(v).toMatchObject({ ok: false, kind: "modified", firstBadSeq: 3900 });
  });

  it("records, per range, when the rolling sample last re-hashed it", async () => {
    await w.build([2048], 0, { env: { LEDGERLINE_VERIFY_COVERAGE: "8" } });
    const full = (await getIntegrityStatus(w.ledger)).coverage.ranges[0]!.at!;
    // Just under two hours of an 8-hour period: a quarter of the 8 chunks (rounded up), from the cursor (0).
    const st = readState(w.store.config.dataDir)!;
    writeState(w.store.config.dataDir, { ...st, sampledAt: new Date(Date.now() - 115 * 60_000).toISOString() });
    await new Promise((r) => setTimeout(r, 5));
    expect(await verdicts(["incremental"])).toMatchObject([{ ok: true }]);
    const { ranges, oldest } = (await getIntegrityStatus(w.ledger)).coverage;
    expect(ranges).toEqual([
      { from: 1, to: 512, at: expect.any(String) },
      { from: 513, to: 2048, at: full },
    ]);
    expect(ranges[0]!.at! > full).toBe(true);
    expect(oldest).toBe(full);
    expect(readState(w.store.config.dataDir)!.sampleCursor).toBe(2);
  });
});
