import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { ownEntriesWithAction, prunedGroups, seqsPrunedBy, type ReceiptRead } from "../ledger/store/entries.ts";
import { PRUNE_RECEIPT_ACTION, receiptOf, type SeqRange } from "./receipt.ts";

// Verification's view of pruned entries (docs/retention.md, docs/integrity.md).
// The scan accepts a row marked pruned without recomputing its leaf (its body is
// gone): its stored leaf hash still folds into every subtree hash and checkpoint
// root, so the tree is verified. This check then asks whether each mark is
// backed by a prune receipt in the (verified) log that lists that seq. A mark
// without one is a body removed without a receipt: tampering, named as such.

export type PrunedFinding = { firstBadSeq: number; reason: string };

const inRanges = (seq: number, ranges: SeqRange[]) => ranges.some((r) => seq >= r.first && seq <= r.last);

/** Null when every pruned row is covered by its receipt; else the first unbacked one. */
export async function checkPrunedEntries(
  db: SqlDriver,
  o?: ReceiptRead,
): Promise<{ finding: PrunedFinding | null; visited: number }> {
  const groups = await prunedGroups(db, o);
  let visited = 0;
  const receipts = new Map<number, SeqRange[]>();
  for (const row of await ownEntriesWithAction(db, PRUNE_RECEIPT_ACTION)) {
    const r = receiptOf(row);
    if (r) receipts.set(r.seq, r.parsed);
  }
  for (const g of groups) {
    const ranges = receipts.get(g.receiptSeq);
    if (!ranges) {
      return {
        visited,
        finding: {
          firstBadSeq: g.first,
          reason: `${g.count} entries (${g.first}..${g.last}) had their bodies removed and name seq ${g.receiptSeq} as their prune receipt, which is not one: bodies deleted without a receipt`,
        },
      };
    }
    const seqs = await seqsPrunedBy(db, g.receiptSeq, o);
    visited += seqs.length;
    for (const seq of seqs) {
      if (!inRanges(seq, ranges)) {
        return {
          visited,
          finding: {
            firstBadSeq: seq,
            reason: `entry ${seq} had its body removed under prune receipt seq ${g.receiptSeq}, which does not list it: body deleted without a receipt`,
          },
        };
      }
    }
  }
  return { finding: null, visited };
}
