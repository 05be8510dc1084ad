import { afterEach, describe, expect, it } from "vitest";
import { inclusionProof, toBase64 } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";
import { ProofBatch, inclusionRanges } from "./proof-hasher.ts";

// Batched proofs must be exactly RFC 9162's: compared with lib/core's in-memory
// inclusionProof over all leaves, for dense, sparse (many blocks per page) and
// edge selections, at tree sizes on and off the 256-leaf block boundaries.

describe.each(DIALECTS)("ProofBatch on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("gives the same paths as the reference implementation", async () => {
    const t = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    cleanup = t.cleanup;
    const v = validateEvent(event());
    if (!v.ok) throw new Error("fixture");
    const n = 2900;
    for (let i = 0; i < n; i += 500) {
      const r = await t.ledger.sequencer.append(
        "spiffe://t/s",
        Array.from({ length: Math.min(500, n - i) }, () => ({ ...v.event, id: undefined })),
      );
      expect(r.ok).toBe(true);
    }
    const rows = await t.ledger.db.all<{ leaf_hash: Uint8Array }>("SELECT leaf_hash FROM entries ORDER BY seq");
    const leaves = rows.map((r) => new Uint8Array(r.leaf_hash));
    for (const size of [1, 2, 255, 256, 257, 513, 1024, 2049, 2900]) {
      const batch = new ProofBatch(t.ledger.db, size);
      const all = Array.from({ length: size }, (_, i) => i);
      const picks = [
        all.filter((i) => i % 97 === 0 || i === size - 1), // sparse: many blocks per call
        all.filter((i) => i >= Math.max(0, size - 300)), // dense tail, across a block edge
        [0],
      ];
      for (const indices of picks) {
        const got = await batch.paths(indices);
        const want = indices.map((i) => inclusionProof(i, leaves.slice(0, size)).map(toBase64));
        expect(got, `size ${size}`).toEqual(want);
      }
    }
    expect(inclusionRanges(5, 8)).toEqual([
      [4, 5],
      [6, 8],
      [0, 4],
    ]);
  });
});
