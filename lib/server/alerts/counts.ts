import "server-only";
import { parsePattern, type EventFilter } from "@/lib/core/event-filter.ts";
import type { Window } from "@/lib/core/alerts/condition.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import { COUNT_BUCKET_CHARS } from "../ledger/rollups.ts";
import { filterWhere } from "../events/filter-sql.ts";

// What a rule counts in a window. A filter of source, outcome and hideOwnActivity only
// reads the `source_counts` rollup (migration 0014): a few rows per 10-minute bucket,
// the same cost at 10 M entries as at 10. Any other filter member (requester, target,
// action, q…) counts entries through the explorer's indexed WHERE over the window's
// claimed-time range — the explorer's cost for that filter. Both count by claimed time
// (`ts`), so a rule sees what the explorer shows for the same filter and window.

const ROLLUP_MEMBERS = new Set(["source", "outcome", "hideOwnActivity"]);

/** True when the rollup answers this filter (docs/alerts.md, "What a rule reads"). */
export function rollupAnswers(f: EventFilter): boolean {
  return Object.keys(f).every((k) => ROLLUP_MEMBERS.has(k));
}

const bucketOf = (ms: number) => new Date(ms).toISOString().slice(0, COUNT_BUCKET_CHARS);

function sourceSql(pattern: string): { sql: string; params: Param[] } {
  const p = parsePattern(pattern);
  const hit = p.prefix
    ? { sql: "substr(source, 1, ?) = ?", params: [p.value.length, p.value] as Param[] }
    : { sql: "source = ?", params: [p.value] as Param[] };
  return p.negate ? { sql: `NOT (${hit.sql})`, params: hit.params } : hit;
}

async function rollupCount(db: SqlDriver, f: EventFilter, w: Window): Promise<number> {
  const parts = ["bucket >= ?", "bucket < ?"];
  const params: Param[] = [bucketOf(w.fromMs), bucketOf(w.toMs)];
  if (f.outcome?.length) {
    parts.push(`outcome IN (${f.outcome.map(() => "?").join(", ")})`);
    params.push(...f.outcome);
  }
  if (f.source !== undefined) {
    const s = sourceSql(f.source);
    parts.push(s.sql);
    params.push(...s.params);
  }
  if (f.hideOwnActivity) parts.push("substr(source, 1, 11) <> 'ledgerline:'");
  const r = await db.get<{ n: number | string | null }>(
    `SELECT SUM(n) AS n FROM source_counts WHERE ${parts.join(" AND ")}`,
    params,
  );
  return Number(r?.n ?? 0);
}

async function entriesCount(db: SqlDriver, f: EventFilter, w: Window): Promise<number> {
  const where = filterWhere(
    { ...f, from: new Date(w.fromMs).toISOString(), to: new Date(w.toMs).toISOString() },
    db.dialect,
  );
  const r = await db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM entries WHERE ${where.sql}`, where.params);
  return Number(r?.n ?? 0);
}

/** Entries matching `f` whose claimed time is in the window. */
export function countInWindow(db: SqlDriver, f: EventFilter, w: Window): Promise<number> {
  return rollupAnswers(f) ? rollupCount(db, f, w) : entriesCount(db, f, w);
}

/** Each source's last append (server clock), for silent-source rules. */
export async function sourceActivity(db: SqlDriver): Promise<Map<string, { lastMs: number; lastSeq: number }>> {
  const rows = await db.all<{ source: string; last_received_at: string; last_seq: number | string }>(
    "SELECT source, last_received_at, last_seq FROM source_activity",
  );
  return new Map(rows.map((r) => [r.source, { lastMs: Date.parse(r.last_received_at), lastSeq: Number(r.last_seq) }]));
}

export const INTEGRITY_SOURCES = ["ledgerline:verifier", "ledgerline:cosigner"] as const;

/** Failure entries of the verifier and the cosigner after `afterSeq`: their seq and action. */
export async function integrityFailuresAfter(
  db: SqlDriver,
  afterSeq: number,
): Promise<Array<{ seq: number; action: string }>> {
  const rows = await db.all<{ seq: number | string; action: string | null }>(
    `SELECT seq, action FROM entries WHERE source IN (?, ?) AND seq > ? AND outcome = 'failure' ORDER BY seq LIMIT 1000`,
    [...INTEGRITY_SOURCES, afterSeq],
  );
  return rows.map((r) => ({ seq: Number(r.seq), action: r.action ?? "" }));
}
