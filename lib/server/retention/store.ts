import "server-only";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { canonicalJson } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";

// Every SQL statement on retention_policies, legal_holds and pruned_ranges
// (migration 0012). Policies and holds are configuration (mutable, each change
// a meta-audit entry); pruned_ranges is append-only like the ledger.

export type PolicyRow = {
  name: string;
  filter: EventFilter;
  days: number | null;
  updatedAt: string;
  updatedBy: string;
  auditSeq: number;
  /** Write the entries as monthly signed bundles into the archive directory before pruning them (0019). */
  archive: boolean;
};

export type HoldRow = {
  id: string;
  filter: EventFilter;
  reason: string;
  caseRef: string;
  placedAt: string;
  placedBy: string;
  placedSeq: number;
  releasedAt: string | null;
  releasedBy: string | null;
  releasedSeq: number | null;
};

type RawPolicy = {
  name: string;
  filter: string;
  days: number | null;
  updated_at: string;
  updated_by: string;
  audit_seq: number;
  archive: number | string;
};

const toPolicy = (r: RawPolicy): PolicyRow => ({
  name: r.name,
  filter: JSON.parse(r.filter) as EventFilter,
  days: r.days === null ? null : Number(r.days),
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
  auditSeq: Number(r.audit_seq),
  archive: Number(r.archive) === 1,
});

export async function listPolicies(db: SqlDriver): Promise<PolicyRow[]> {
  return (await db.all<RawPolicy>("SELECT * FROM retention_policies ORDER BY name")).map(toPolicy);
}

export async function upsertPolicy(db: SqlDriver, p: PolicyRow): Promise<void> {
  await db.run(
    `INSERT INTO retention_policies (name, filter, days, updated_at, updated_by, audit_seq, archive) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, days = excluded.days,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by, audit_seq = excluded.audit_seq,
       archive = excluded.archive`,
    [p.name, canonicalJson(p.filter), p.days, p.updatedAt, p.updatedBy, p.auditSeq, p.archive ? 1 : 0],
  );
}

export async function deletePolicy(db: SqlDriver, name: string): Promise<boolean> {
  return (await db.run("DELETE FROM retention_policies WHERE name = ?", [name])) > 0;
}

type RawHold = {
  id: string;
  filter: string;
  reason: string;
  case_ref: string;
  placed_at: string;
  placed_by: string;
  placed_seq: number;
  released_at: string | null;
  released_by: string | null;
  released_seq: number | null;
};

const toHold = (r: RawHold): HoldRow => ({
  id: r.id,
  filter: JSON.parse(r.filter) as EventFilter,
  reason: r.reason,
  caseRef: r.case_ref,
  placedAt: r.placed_at,
  placedBy: r.placed_by,
  placedSeq: Number(r.placed_seq),
  releasedAt: r.released_at,
  releasedBy: r.released_by,
  releasedSeq: r.released_seq === null ? null : Number(r.released_seq),
});

/** Every hold, active ones first, newest first. */
export async function listHolds(db: SqlDriver): Promise<HoldRow[]> {
  return (
    await db.all<RawHold>("SELECT * FROM legal_holds ORDER BY (released_at IS NOT NULL), placed_at DESC, id")
  ).map(toHold);
}

export async function insertHold(db: SqlDriver, h: HoldRow): Promise<void> {
  await db.run(
    `INSERT INTO legal_holds (id, filter, reason, case_ref, placed_at, placed_by, placed_seq) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [h.id, canonicalJson(h.filter), h.reason, h.caseRef, h.placedAt, h.placedBy, h.placedSeq],
  );
}

export async function holdById(db: SqlDriver, id: string): Promise<HoldRow | undefined> {
  const r = await db.get<RawHold>("SELECT * FROM legal_holds WHERE id = ?", [id]);
  return r && toHold(r);
}

export async function markHoldReleased(db: SqlDriver, id: string, at: string, by: string, seq: number): Promise<void> {
  await db.run(
    "UPDATE legal_holds SET released_at = ?, released_by = ?, released_seq = ? WHERE id = ? AND released_at IS NULL",
    [at, by, seq, id],
  );
}

export type PrunedRange = { receiptSeq: number; first: number; last: number };

export async function insertPrunedRanges(db: SqlDriver, ranges: PrunedRange[]): Promise<void> {
  if (!ranges.length) return;
  await db.insertMany(
    "pruned_ranges",
    ["receipt_seq", "first_seq", "last_seq"],
    ranges.map((r) => [r.receiptSeq, r.first, r.last]),
  );
}

export async function prunedRangesOf(db: SqlDriver, receiptSeq: number): Promise<PrunedRange[]> {
  const rows = await db.all<{ first_seq: number; last_seq: number }>(
    "SELECT first_seq, last_seq FROM pruned_ranges WHERE receipt_seq = ? ORDER BY first_seq",
    [receiptSeq],
  );
  return rows.map((r) => ({ receiptSeq, first: Number(r.first_seq), last: Number(r.last_seq) }));
}
