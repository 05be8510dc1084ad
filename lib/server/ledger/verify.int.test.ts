import { afterEach, describe, expect, it } from "vitest";
import { entryLeafHash, merkleRoot } from "@/lib/core/index.ts";
import { placeholders } from "@/test/support/raw-store.ts";
import { DIALECTS, freshStore, validEvent as ev, type TestStore } from "@/test/support/stores.ts";
import { rowToEntry, type EntryRow } from "./entry.ts";
import { openLedger } from "./ledger.ts";
import { verifyLog } from "./verify.ts";
import { storeOf } from "../workers/leaf-task.ts";
import { createWorkerPool } from "../workers/pool.ts";

// verify-log against a real store tampered with by someone with raw access
// (the guards dropped first, as such an attacker would).

describe.each(DIALECTS)("verify-log on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  async function build(size = 600, checkpointAt = [300, 600]) {
    store = await freshStore(dialect, {
      LEDGERLINE_ORIGIN: "test.example/verify",
      LEDGERLINE_CHECKPOINT_EVERY: "1000000",
    });
    const ledger = await openLedger(store.config);
    let n = 0;
    for (const cp of checkpointAt) {
      await ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: cp - n }, () => ev()),
      );
      await ledger.sequencer.checkpoint();
      n = cp;
    }
    if (size > n)
      await ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: size - n }, () => ev()),
      );
    const key = await ledger.signingKey();
    await ledger.close();
    const attacker = await store.attacker();
    const drop =
      dialect === "sqlite"
        ? [
            "DROP TRIGGER entries_no_update",
            "DROP TRIGGER entries_no_delete",
            "DROP TRIGGER checkpoints_no_delete",
            "DROP TRIGGER merkle_nodes_no_update",
          ]
        : [
            "ALTER TABLE entries DISABLE TRIGGER USER",
            "ALTER TABLE checkpoints DISABLE TRIGGER USER",
            "ALTER TABLE merkle_nodes DISABLE TRIGGER USER",
          ];
    return { key, attacker, drop };
  }

  /**
   * verify-log on this thread, and again with leaf hashes recomputed in two worker
   * threads reading the store themselves — batches of 100 folded leaf by leaf here,
   * and batches of 64 (a power of two) folded into subtrees by the workers, with the
   * checkpoints at 300 and 600 inside batches; a log spans several tasks in flight.
   * All three must give the same verdict, whatever was tampered with.
   */
  async function verify(key: { name: string; publicKey: Uint8Array }) {
    const { openDriver } = await import("../db/driver.ts");
    const db = openDriver(store.config.database);
    const pool = createWorkerPool(2);
    try {
      const progress: number[] = [];
      const opts = { origin: "test.example/verify", verifiers: [key], batch: 128 };
      const r = await verifyLog(db, { ...opts, onProgress: (d) => progress.push(d) });
      for (const batch of [100, 64]) {
        const pooled = await verifyLog(db, {
          ...opts,
          parallel: { pool, store: storeOf(store.config.database), batch },
        });
        expect(pool.size).toBe(2);
        expect(pooled).toEqual(r);
      }
      return { ...r, progress };
    } finally {
      await pool.close();
      await db.close();
    }
  }

  it("passes an intact log and reports progress", async () => {
    const { key, attacker } = await build(650);
    await attacker.close();
    const r = await verify(key);
    expect(r).toMatchObject({ ok: true, treeSize: 650, checkpoints: 2, latestCheckpoint: 600, firstBadSeq: null });
    expect(r.progress.at(-1)).toBe(650);
  });

  const tamper: Array<{ name: string; sql: string[]; bad: number | null; reason: RegExp }> = [
    {
      name: "modified entry",
      sql: ["UPDATE entries SET outcome = 'success', requester_id = 'spiffe://innocent' WHERE seq = 123"],
      bad: 123,
      reason: /entry 123 was modified/,
    },
    { name: "deleted entry", sql: ["DELETE FROM entries WHERE seq = 77"], bad: 77, reason: /entry 77 is missing/ },
    {
      name: "truncated tail past the last checkpoint",
      sql: ["DELETE FROM entries WHERE seq > 550"],
      bad: 551,
      reason: /deleted from the tail/,
    },
    {
      name: "a wrong key's checkpoint",
      sql: [
        "DELETE FROM checkpoints WHERE tree_size = 600",
        "INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) SELECT 600, root_hash, replace(note, '\n300\n', '\n600\n'), key_id, created_at FROM checkpoints WHERE tree_size = 300",
      ],
      bad: null,
      reason: /checkpoint 600/,
    },
  ];

  for (const t of tamper) {
    it(`detects a ${t.name}`, async () => {
      const { key, attacker, drop } = await build(650);
      for (const s of [...drop, ...t.sql]) await attacker.exec(s);
      await attacker.close();
      const r = await verify(key);
      expect(r.ok).toBe(false);
      expect(r.firstBadSeq).toBe(t.bad);
      expect(r.reason).toMatch(t.reason);
    });
  }

  it("detects content rewritten together with its leaf hash: by the stored subtree hashes, then by the signed checkpoint", async () => {
    const { key, attacker, drop } = await build(650);
    for (const s of drop) await attacker.exec(s);
    const q = (sql: string) => placeholders(dialect, sql);
    // A careful attacker: rewrite entry 123 and store the leaf hash its new content hashes to.
    const [row] = (await attacker.exec("SELECT * FROM entries WHERE seq = 123")) as EntryRow[];
    const forged = {
      ...rowToEntry(row!),
      outcome: "success" as const,
      requester: { id: "spiffe://innocent", type: "service" as const },
    };
    const leaf = entryLeafHash(forged);
    await attacker.exec(
      q("UPDATE entries SET outcome = ?, requester_id = ?, requester_ip = NULL, leaf_hash = ? WHERE seq = 123"),
      ["success", "spiffe://innocent", Buffer.from(leaf)],
    );
    let r = await verify(key);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(r.reason).toMatch(/entries 1\.\.256 do not hash to their stored subtree hash/);

    // ...and rewrite the stored subtree hash as well: the signed checkpoint still catches it.
    const leaves = (
      (await attacker.exec("SELECT leaf_hash FROM entries WHERE seq <= 256 ORDER BY seq")) as Array<{
        leaf_hash: Uint8Array;
      }>
    ).map((x) => new Uint8Array(x.leaf_hash));
    await attacker.exec(q("UPDATE merkle_nodes SET hash = ? WHERE level = 8 AND idx = 0"), [
      Buffer.from(merkleRoot(leaves)),
    ]);
    await attacker.close();
    r = await verify(key);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 1 });
    expect(r.reason).toMatch(/do not match signed checkpoint 300; the change lies in entries 1\.\.300/);
  });
});
