import "server-only";
import type { SqlDriver } from "../../db/driver.ts";
import type { EntryRow } from "../entry.ts";

// Reads of the `entries` table by seq (the append itself is the sequencer's
// batch insert; filtered reads are events/query.ts and traces/trace.ts, whose
// WHERE clauses come from the filter).

/** logHead's statement (the sequencer states its answer ahead of a commit: SqlDriver.expect). */
export const LOG_HEAD_SQL = "SELECT MAX(seq) AS n FROM entries";

/** The largest seq stored (0 for an empty log). */
export async function logHead(db: SqlDriver): Promise<number> {
  const r = await db.get<{ n: number | null }>(LOG_HEAD_SQL);
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

// Pruning (migration 0012, docs/retention.md): the one UPDATE the entries guard
// accepts. It keeps seq, leaf_hash, event_id, source, ts and received_at, clears
// the rest and names the receipt; the trigger refuses it unless a pruned_ranges
// row of that receipt covers the seq.
const CLEAR_BODY = `event_type = '', requester_id = '', requester_type = '', requester_ip = NULL, target_id = '',
  target_service = NULL, target_type = NULL, action = NULL, outcome = '', correlation_id = NULL, reason = NULL,
  attributes = NULL, personal = NULL, pruned_by = ?`;

/** Clears the bodies of first..last not yet pruned; returns how many it cleared. */
export async function clearBodies(db: SqlDriver, receiptSeq: number, first: number, last: number): Promise<number> {
  return db.run(`UPDATE entries SET ${CLEAR_BODY} WHERE seq >= ? AND seq <= ? AND pruned_by IS NULL`, [
    receiptSeq,
    first,
    last,
  ]);
}

/** How many bodies `receiptSeq` cleared (the partial index entries_pruned_by). */
export async function prunedCount(db: SqlDriver, receiptSeq: number): Promise<number> {
  const r = await db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM entries WHERE pruned_by = ?", [receiptSeq]);
  return Number(r?.n ?? 0);
}

/**
 * How the receipt checks read entries (retention/verify-*.ts): up to `head` (the entries a
 * scan verified), and `unindexed` without the partial indexes — a CASE the planner cannot
 * match to an index's WHERE, so the rows come from the table itself, whatever an index holds.
 */
export type ReceiptRead = { head?: number; unindexed?: boolean };

/** ` AND seq <= head`, or nothing without a head. */
export const upTo = (o: ReceiptRead | undefined) => (o?.head === undefined ? "" : ` AND seq <= ${Number(o.head)}`);

/** `column IS NOT NULL`, read through its partial index — or, `unindexed`, as a CASE no index matches. */
export const isSet = (column: "pruned_by" | "personal", o: ReceiptRead | undefined) =>
  o?.unindexed ? `(CASE WHEN ${column} IS NULL THEN 0 ELSE 1 END) = 1` : `${column} IS NOT NULL`;

/** The seqs marked pruned by `receiptSeq`, in order. */
export async function seqsPrunedBy(db: SqlDriver, receiptSeq: number, o?: ReceiptRead): Promise<number[]> {
  const where = o?.unindexed ? "(CASE WHEN pruned_by = ? THEN 1 ELSE 0 END) = 1" : "pruned_by = ?";
  const rows = await db.all<{ seq: number }>(`SELECT seq FROM entries WHERE ${where}${upTo(o)} ORDER BY seq`, [
    receiptSeq,
  ]);
  return rows.map((r) => Number(r.seq));
}

/** Every distinct pruned_by value with its count and seq bounds. */
export async function prunedGroups(
  db: SqlDriver,
  o?: ReceiptRead,
): Promise<Array<{ receiptSeq: number; count: number; first: number; last: number }>> {
  const rows = await db.all<{ r: number; n: number; lo: number; hi: number }>(
    `SELECT pruned_by AS r, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM entries WHERE ${isSet("pruned_by", o)}${upTo(o)} GROUP BY pruned_by ORDER BY pruned_by`,
  );
  return rows.map((x) => ({ receiptSeq: Number(x.r), count: Number(x.n), first: Number(x.lo), last: Number(x.hi) }));
}

/** Ledgerline's own entries (source `ledgerline:*`, an index range) with this action, in seq order. */
export async function ownEntriesWithAction(db: SqlDriver, action: string): Promise<EntryRow[]> {
  return db.all<EntryRow>(
    "SELECT * FROM entries WHERE source >= 'ledgerline:' AND source < 'ledgerline;' AND action = ? ORDER BY seq",
    [action],
  );
}
