import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { clearBodies } from "../ledger/store/entries.ts";
import { deletePrunedSecrets, keptRequesterSql } from "../ledger/store/secrets.ts";
import type { SeqRange } from "./receipt.ts";
import { insertPrunedRanges, prunedRangesOf } from "./store.ts";

// Applying a receipt, in one write transaction: record its ranges (once), take the
// pruned entries out of the derived tables (histogram counts, trace rollups, which
// would otherwise keep their values), and clear the bodies. Idempotent: a second
// call clears nothing and changes nothing.

const CHUNK = 500;

/** The correlation ids among first..last still kept (their trace rollups are rebuilt). */
export async function correlationIds(tx: SqlDriver, r: SeqRange): Promise<string[]> {
  const rows = await tx.all<{ c: string }>(
    "SELECT DISTINCT correlation_id AS c FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL AND correlation_id IS NOT NULL",
    [r.first, r.last],
  );
  return rows.map((x) => x.c);
}

/**
 * Lowers one per-bucket rollup by the entries of `r` still kept (before their bodies go):
 * entry_counts (0004: bucket, outcome), source_counts (0014: + source) and type_counts
 * (0017: + event_type). `columns` are constants of this file, never input.
 */
async function uncount(tx: SqlDriver, r: SeqRange, table: string, columns: readonly string[]): Promise<void> {
  const keys = columns.map((c, i) => `${c} AS k${i}`).join(", ");
  const groupBy = columns.map((_, i) => i + 2).join(", ");
  const rows = await tx.all<Record<string, string | number>>(
    `SELECT substr(ts, 1, 15) AS b, ${keys}, COUNT(*) AS n FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL GROUP BY 1, ${groupBy}`,
    [r.first, r.last],
  );
  const where = ["bucket = ?", ...columns.map((c) => `${c} = ?`)].join(" AND ");
  for (const x of rows) {
    await tx.run(`UPDATE ${table} SET n = n - ? WHERE ${where}`, [
      Number(x.n),
      x.b!,
      ...columns.map((_, i) => x[`k${i}`]!),
    ]);
  }
}

const ROLLUPS = [
  { table: "entry_counts", columns: ["outcome"] },
  { table: "source_counts", columns: ["source", "outcome"] },
  { table: "type_counts", columns: ["outcome", "event_type"] },
] as const;

/**
 * Rebuilds the trace rollups of these correlation ids from the entries still kept, with
 * each requester id as readers see it (a committed one's kept value; an erased one is left
 * out, so the rollup never keeps an erased value). Used by the prune and by erasure.
 */
export async function rebuildTraces(tx: SqlDriver, ids: string[]): Promise<void> {
  const requester = keptRequesterSql(tx.dialect);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const q = chunk.map(() => "?").join(", ");
    await tx.run(`DELETE FROM traces WHERE correlation_id IN (${q})`, chunk);
    await tx.run(`DELETE FROM trace_services WHERE correlation_id IN (${q})`, chunk);
    await tx.run(
      `INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed)
         SELECT correlation_id, MIN(ts), MAX(ts), COUNT(*),
                SUM(CASE WHEN outcome = 'denied' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END)
           FROM entries WHERE correlation_id IN (${q}) GROUP BY correlation_id`,
      chunk,
    );
    await tx.run(
      `INSERT INTO trace_services (correlation_id, name, last_ts)
         SELECT correlation_id, name, MAX(ts) FROM (
           SELECT correlation_id, target_service AS name, ts FROM entries
            WHERE correlation_id IN (${q}) AND target_service IS NOT NULL
           UNION ALL
           SELECT correlation_id, ${requester} AS name, ts FROM entries WHERE correlation_id IN (${q})
         ) AS x WHERE name IS NOT NULL AND name <> '' GROUP BY correlation_id, name`,
      [...chunk, ...chunk],
    );
  }
}

/** Records `ranges` for receipt `receiptSeq` (unless already) and clears their bodies; returns bodies cleared. */
export async function applyReceipt(db: SqlDriver, receiptSeq: number, ranges: SeqRange[]): Promise<number> {
  return db.writeTransaction(async (tx) => {
    if (!(await prunedRangesOf(tx, receiptSeq)).length) {
      await insertPrunedRanges(
        tx,
        ranges.map((r) => ({ receiptSeq, ...r })),
      );
    }
    let cleared = 0;
    const ids = new Set<string>();
    for (const r of ranges) {
      for (const c of await correlationIds(tx, r)) ids.add(c);
      for (const { table, columns } of ROLLUPS) await uncount(tx, r, table, columns);
      cleared += await clearBodies(tx, receiptSeq, r.first, r.last);
      // A pruned v2 body takes its personal values and salts with it (the trigger checks it was pruned).
      await deletePrunedSecrets(tx, r.first, r.last);
    }
    if (ids.size) await rebuildTraces(tx, [...ids]);
    return cleared;
  });
}
