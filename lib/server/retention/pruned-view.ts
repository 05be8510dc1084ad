import "server-only";
import type { Param, SqlDriver } from "../db/driver.ts";
import { entryAt } from "../ledger/store/entries.ts";
import { receiptOf } from "./receipt.ts";

// Where readers would have seen entries that retention pruned (docs/retention.md): a
// pruned entry keeps only its seq, times, source and event id, so no filter matches it
// and no trace can find it (its correlation id went with the body). What can still be
// said is how many entries *claimed in a time range* were pruned, and by which receipt:
// the explorer and the trace page say so instead of silently showing fewer entries.
// UNCHECKED: callers (summarizeEvents, queryTrace) have checked the reader's permission.

type PrunedGroup = { receiptSeq: number; policy: string | null; count: number };
/** `groups`: the first receipts (at most MAX_RECEIPTS); `total` counts every pruned entry of the range. */
export type PrunedSummary = { total: number; groups: PrunedGroup[] };

const MAX_RECEIPTS = 20;

/**
 * Pruned entries claimed in [from, to), per prune receipt (receipt seq order). Reads the
 * partial index entries_pruned_ts (migration 0018: ts of pruned rows only), so a range with
 * nothing pruned costs one index probe whatever the log's size.
 */
export async function prunedInRange(db: SqlDriver, from?: string, to?: string): Promise<PrunedSummary> {
  const where = ["pruned_by IS NOT NULL"];
  const params: Param[] = [];
  if (from !== undefined) {
    where.push("ts >= ?");
    params.push(from);
  }
  if (to !== undefined) {
    where.push("ts < ?");
    params.push(to);
  }
  const rows = await db.all<{ r: number | string; n: number | string }>(
    `SELECT pruned_by AS r, COUNT(*) AS n FROM entries WHERE ${where.join(" AND ")} GROUP BY pruned_by ORDER BY pruned_by`,
    params,
  );
  const groups: PrunedGroup[] = [];
  let total = 0;
  for (const row of rows) {
    total += Number(row.n);
    if (groups.length === MAX_RECEIPTS) continue;
    const receiptSeq = Number(row.r);
    const receipt = await entryAt(db, receiptSeq);
    groups.push({ receiptSeq, policy: (receipt && receiptOf(receipt)?.policy) ?? null, count: Number(row.n) });
  }
  return { total, groups };
}
