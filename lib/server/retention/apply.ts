import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { clearBodies } from "../ledger/store/entries.ts";
import { deletePrunedSecrets } from "../ledger/store/secrets.ts";
import type { SeqRange } from "./receipt.ts";
import { insertPrunedRanges, prunedRangesOf } from "./store.ts";

// Applying a receipt, in one write transaction: record its ranges (once), take the
// pruned entries out of the derived tables (histogram counts, trace rollups, which
// would otherwise keep their values), and clear the bodies. Idempotent: a second
// call clears nothing and changes nothing.

const CHUNK = 500;

async function correlationIds(tx: SqlDriver, r: SeqRange): Promise<string[]> {
  const rows = await tx.all<{ c: string }>(
    "SELECT DISTINCT correlation_id AS c FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL AND correlation_id IS NOT NULL",
    [r.first, r.last],
  );
  return rows.map((x) => x.c);
}

async function uncount(tx: SqlDriver, r: SeqRange): Promise<void> {
  const rows = await tx.all<{ b: string; o: string; n: number }>(
    "SELECT substr(ts, 1, 15) AS b, outcome AS o, COUNT(*) AS n FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL GROUP BY 1, 2",
    [r.first, r.last],
  );
  for (const x of rows) {
    await tx.run("UPDATE entry_counts SET n = n - ? WHERE bucket = ? AND outcome = ?", [Number(x.n), x.b, x.o]);
  }
}

/** The alert rules' per-source rollup (migration 0014) forgets pruned entries as entry_counts does. */
async function uncountSources(tx: SqlDriver, r: SeqRange): Promise<void> {
  const rows = await tx.all<{ b: string; s: string; o: string; n: number }>(
    "SELECT substr(ts, 1, 15) AS b, source AS s, outcome AS o, COUNT(*) AS n FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL GROUP BY 1, 2, 3",
    [r.first, r.last],
  );
  for (const x of rows) {
    await tx.run("UPDATE source_counts SET n = n - ? WHERE bucket = ? AND source = ? AND outcome = ?", [
      Number(x.n),
      x.b,
      x.s,
      x.o,
    ]);
  }
}

/** Rebuilds the trace rollups of these correlation ids from the entries still kept. */
async function rebuildTraces(tx: SqlDriver, ids: string[]): Promise<void> {
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
           SELECT correlation_id, requester_id AS name, ts FROM entries WHERE correlation_id IN (${q})
         ) AS x GROUP BY correlation_id, name`,
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
      await uncount(tx, r);
      await uncountSources(tx, r);
      cleared += await clearBodies(tx, receiptSeq, r.first, r.last);
      // A pruned v2 body takes its personal values and salts with it (the trigger checks it was pruned).
      await deletePrunedSecrets(tx, r.first, r.last);
    }
    if (ids.size) await rebuildTraces(tx, [...ids]);
    return cleared;
  });
}
