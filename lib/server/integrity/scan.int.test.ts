import { afterEach, describe, expect, it } from "vitest";
import { CompactRange, toBase64 } from "@/lib/core/index.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { DIALECTS, freshStore, validEvent as ev, type TestStore } from "@/test/support/stores.ts";
import { openDriver } from "../db/driver.ts";
import { openLedger } from "../ledger/ledger.ts";
import { allNodes } from "../ledger/store/nodes.ts";
import { storeOf } from "../workers/leaf-task.ts";
import { createWorkerPool } from "../workers/pool.ts";
import { takeSnapshot } from "./checkpoints.ts";
import { scan } from "./scan.ts";

// The entry scan with whole batches folded into subtrees by the worker threads (a
// power-of-two batch) gives what the leaf-by-leaf fold gives: the same roots at the
// remembered sizes asked for, the same tree, and — for a stored level-8 node inside a
// batch altered in the database — the same failure, named by the leaf-by-leaf rescan.

describe.each(DIALECTS)("the pooled scan on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  async function build() {
    store = await freshStore(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const ledger = await openLedger(store.config);
    for (const size of [300, 700, 1100]) {
      await ledger.sequencer.append(
        "spiffe://test/a",
        Array.from({ length: size === 300 ? 300 : 400 }, () => ev()),
      );
      await ledger.sequencer.checkpoint();
    }
    await ledger.close();
  }

  async function scans() {
    const db = openDriver(store.config.database);
    const pool = createWorkerPool(2);
    try {
      const snap = await takeSnapshot(db);
      const nodes = await allNodes(db);
      const run = async (batch?: number) => {
        const s = await scan(db, {
          from: 0,
          to: snap.head,
          range: CompactRange.empty(nodeHasher),
          cps: snap.cps,
          nodes,
          rootAt: [1, 255, 256, 513, 700, 1099],
          ...(batch && { parallel: { pool, store: storeOf(store.config.database), batch } }),
        });
        return {
          failure: s.failure,
          checked: s.checked,
          root: s.failure ? null : toBase64(s.range.root()),
          snapshots: [...s.snapshots].map(([k, v]) => [k, toBase64(v)]).sort((a, b) => Number(a[0]) - Number(b[0])),
        };
      };
      const alone = await run();
      // 512: level-8 nodes inside each batch, checkpoints and remembered sizes inside and at ends.
      for (const batch of [512, 256, 128]) expect(await run(batch)).toEqual(alone);
      expect(pool.size).toBe(2);
      return alone;
    } finally {
      await pool.close();
      await db.close();
    }
  }

  it("gives the leaf-by-leaf roots, snapshots and tree", async () => {
    await build();
    const r = await scans();
    expect(r.failure).toBeNull();
    expect(r.checked).toBe(1100);
    expect(r.snapshots.map(([k]) => k)).toEqual([1, 255, 256, 513, 700, 1099]);
  });

  it("names an altered stored node inside a batch as the leaf-by-leaf scan does", async () => {
    await build();
    const attacker = await store.attacker();
    await attacker.exec(
      dialect === "sqlite" ? "DROP TRIGGER merkle_nodes_no_update" : "ALTER TABLE merkle_nodes DISABLE TRIGGER USER",
    );
    // Node (8, 2) covers entries 513..768: inside the second batch of 512.
    await attacker.exec(
      dialect === "sqlite"
        ? "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 8 AND idx = 2"
        : "UPDATE merkle_nodes SET hash = decode(repeat('00', 32), 'hex') WHERE level = 8 AND idx = 2",
    );
    await attacker.close();
    const r = await scans();
    expect(r.failure).toEqual({ type: "node", first: 513, last: 768, level: 8, missing: false });
  });
});
