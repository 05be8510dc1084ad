import "server-only";
import type { SqlDriver } from "../../db/driver.ts";
import type { EntryRow } from "../entry.ts";

// Reads of the `entries` table by seq (the append itself is the sequencer's
// batch insert; filtered reads are events/query.ts and traces/trace.ts, whose
// WHERE clauses come from the filter).

/** The largest seq stored (0 for an empty log). */
export async function logHead(db: SqlDriver): Promise<number> {
  const r = await db.get<{ n: number | null }>("SELECT MAX(seq) AS n FROM entries");
  return Number(r?.n ?? 0);
}

/** The largest seq and the row count, in one statement: a consistent pair even while the sequencer appends. */
export async function headAndCount(db: SqlDriver): Promise<{ head: number; count: number }> {
  const h = await db.get<{ head: number | null; n: number }>("SELECT MAX(seq) AS head, COUNT(*) AS n FROM entries");
  return { head: Number(h?.head ?? 0), count: Number(h?.n ?? 0) };
}

export async function entryAt(db: SqlDriver, seq: number): Promise<EntryRow | undefined> {
  return db.get<EntryRow>("SELECT * FROM entries WHERE seq = ?", [seq]);
}

/** Up to `limit` entries with from ≤ seq ≤ to, in seq order. */
export async function entriesFrom(db: SqlDriver, from: number, to: number, limit: number): Promise<EntryRow[]> {
  return db.all<EntryRow>("SELECT * FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?", [from, to, limit]);
}

/** The leaf hashes of entries start+1..end in seq order, with their seqs (a short result means a gap). */
export async function leafHashesBetween(
  db: SqlDriver,
  start: number,
  end: number,
): Promise<Array<{ seq: number; leaf_hash: Uint8Array }>> {
  return db.all<{ seq: number; leaf_hash: Uint8Array }>(
    "SELECT seq, leaf_hash FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq",
    [start, end],
  );
}
