import "server-only";
import type { BundleWitnesses } from "@/lib/core/bundle/format.ts";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import { filterWhere } from "../events/filter-sql.ts";
import { keptRequesterSql } from "../ledger/store/secrets.ts";

// The figures of a review pack's report, read from the same rows the bundle holds: the
// view's filter over the period, stopped at the bundle's checkpoint (seqTo = tree size),
// with the explorer's own WHERE clause (events/filter-sql.ts) — so "1 204 entries" in the
// report is the bundle's count and the explorer's for the same link. Silent sources and
// alerts look at the whole log in the period, not the view: they are about the log's
// completeness and the operator's monitoring, whatever the view selects.

/** The scheduled review a bundle is built for (bundles.report, JSON; docs/reviews.md). */
export type ReviewReportSpec = {
  scheduleId: string;
  scheduleName: string;
  viewName: string;
  viewQuery: string;
  frequency: string;
  cron: string;
  timeZone: string;
  template: string | null;
  periodStart: string;
  periodEnd: string;
};

/** The alert lifecycle entries another part writes (source ledgerline:alerts). */
export const ALERTS_SOURCE = "ledgerline:alerts";
export const ALERT_ACTIONS = ["alert.fired", "alert.acknowledged", "alert.resolved"] as const;

const TOP = 10;
const LISTED = 50;

export type Ranked = { key: string; count: number; denied: number };
export type NewIdentity = { requester: string; count: number; firstSeen: string };
export type AlertLine = { seq: number; ts: string; action: string; ruleName: string; alertId: string };
export type IntegrityLine = { status: string; mode: string; finishedAt: string | null; verifiedThrough: number };

export type ReportData = {
  total: number;
  byOutcome: Record<string, number>;
  topRequesters: Ranked[];
  topTargets: Ranked[];
  deniedPairs: Array<{ requester: string; target: string; count: number }>;
  newIdentities: { count: number; listed: NewIdentity[] };
  silentSources: string[];
  alerts: AlertLine[];
  integrity: IntegrityLine | null;
};

/** How a report names a requester id erased since (its kept value is gone, docs/retention.md). */
export const ERASED_REQUESTER = "(erased)";

type Count = { n: number | string };
const num = (v: number | string | bigint | null | undefined) => Number(v ?? 0);

/**
 * The top values of `expr` (an SQL expression over `entries`) by entries. Requester ids are read
 * as readers see them (keptRequesterSql): a committed one (leaf v2: the column holds "") by its
 * kept value, an erased one as ERASED_REQUESTER — never all of them lumped together as "".
 */
async function ranked(db: SqlDriver, expr: string, where: { sql: string; params: Param[] }): Promise<Ranked[]> {
  const rows = await db.all<{ k: string | null; n: number | string; d: number | string }>(
    `SELECT ${expr} AS k, COUNT(*) AS n, SUM(CASE WHEN outcome = 'denied' THEN 1 ELSE 0 END) AS d
       FROM entries WHERE ${where.sql} GROUP BY 1 ORDER BY n DESC, k LIMIT ${TOP}`,
    where.params,
  );
  return rows.map((r) => ({ key: r.k ?? ERASED_REQUESTER, count: num(r.n), denied: num(r.d) }));
}

async function newIdentities(db: SqlDriver, where: { sql: string; params: Param[] }, from: string) {
  // First seen in the period: no entry of the whole log (any source, not pruned) before it —
  // neither with the id in its column nor with it committed and kept (an id can be both, before
  // and after its field was declared personal). An erased id is nobody's to list.
  const kept = keptRequesterSql(db.dialect);
  const candidates = await db.all<{ k: string; n: number | string; f: string }>(
    `SELECT k, COUNT(*) AS n, MIN(ts) AS f FROM (SELECT ${kept} AS k, ts FROM entries WHERE ${where.sql}) x
      WHERE k IS NOT NULL GROUP BY k ORDER BY f, k`,
    where.params,
  );
  const seen = new Set<string>();
  const ids = candidates.map((c) => c.k);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<{ k: string }>(
      `SELECT DISTINCT requester_id AS k FROM entries
        WHERE requester_id IN (${chunk.map(() => "?").join(", ")}) AND ts < ? AND pruned_by IS NULL`,
      [...chunk, from],
    );
    for (const r of rows) seen.add(r.k);
  }
  const decode = db.dialect === "sqlite" ? "json_extract(s.value, '$')" : "(s.value::jsonb #>> '{}')";
  const committed = await db.all<{ k: string | null }>(
    `SELECT DISTINCT ${decode} AS k FROM entry_secrets s JOIN entries e ON e.seq = s.seq
      WHERE s.pointer = '/requester/id' AND e.ts < ? AND e.pruned_by IS NULL`,
    [from],
  );
  for (const r of committed) if (r.k !== null) seen.add(r.k);
  const rows = candidates.filter((c) => !seen.has(c.k));
  return {
    count: rows.length,
    listed: rows.slice(0, LISTED).map((r) => ({ requester: r.k, count: num(r.n), firstSeen: r.f })),
  };
}

async function silentSources(db: SqlDriver, from: string, to: string, seqTo: number): Promise<string[]> {
  // Ingest keys' sources (active, created before the period ended) that sent nothing in it: PCI 10.7.2.
  const rows = await db.all<{ source: string }>(
    `SELECT DISTINCT k.source AS source FROM ingest_keys k
      WHERE k.revoked_at IS NULL AND k.created_at < ?
        AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.source = k.source AND e.ts >= ? AND e.ts < ? AND e.seq <= ?)
      ORDER BY source`,
    [to, from, to, seqTo],
  );
  return rows.map((r) => r.source);
}

async function alerts(db: SqlDriver, from: string, to: string, seqTo: number): Promise<AlertLine[]> {
  const rows = await db.all<{ seq: number | string; ts: string; action: string; attributes: string | null }>(
    `SELECT seq, ts, action, attributes FROM entries
      WHERE source = ? AND action IN (?, ?, ?) AND ts >= ? AND ts < ? AND seq <= ? AND pruned_by IS NULL
      ORDER BY seq LIMIT 500`,
    [ALERTS_SOURCE, ...ALERT_ACTIONS, from, to, seqTo],
  );
  return rows.map((r) => {
    let a: Record<string, unknown> = {};
    try {
      a = r.attributes ? (JSON.parse(r.attributes) as Record<string, unknown>) : {};
    } catch {
      // a malformed attributes text is shown without names, never dropped
    }
    const s = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");
    return { seq: num(r.seq), ts: r.ts, action: r.action, ruleName: s(a.ruleName ?? a.ruleId), alertId: s(a.alertId) };
  });
}

async function latestIntegrity(db: SqlDriver): Promise<IntegrityLine | null> {
  const r = await db.get<{
    status: string;
    mode: string;
    finished_at: string | null;
    verified_through: number | string;
  }>(
    "SELECT status, mode, finished_at, verified_through FROM integrity_runs WHERE status <> 'running' ORDER BY started_at DESC LIMIT 1",
  );
  return r
    ? { status: r.status, mode: r.mode, finishedAt: r.finished_at, verifiedThrough: num(r.verified_through) }
    : null;
}

/** Every figure of the report; `filter` is the bundle's query filter (seqTo already at the checkpoint). */
export async function collectReportData(
  db: SqlDriver,
  spec: ReviewReportSpec,
  filter: EventFilter,
): Promise<ReportData> {
  const where = filterWhere(filter, db.dialect);
  const seqTo = filter.seqTo ?? Number.MAX_SAFE_INTEGER;
  const outcomes = await db.all<Count & { outcome: string }>(
    `SELECT outcome, COUNT(*) AS n FROM entries WHERE ${where.sql} GROUP BY outcome ORDER BY outcome`,
    where.params,
  );
  const byOutcome = Object.fromEntries(outcomes.map((r) => [r.outcome, num(r.n)]));
  const deniedWhere = { sql: `${where.sql} AND outcome = 'denied'`, params: where.params };
  const kept = keptRequesterSql(db.dialect);
  const pairs = await db.all<{ r: string | null; t: string; n: number | string }>(
    `SELECT ${kept} AS r, target_id AS t, COUNT(*) AS n FROM entries WHERE ${deniedWhere.sql}
      GROUP BY 1, 2 ORDER BY n DESC, r, t LIMIT ${TOP}`,
    deniedWhere.params,
  );
  return {
    total: Object.values(byOutcome).reduce((a, b) => a + b, 0),
    byOutcome,
    topRequesters: await ranked(db, kept, where),
    topTargets: await ranked(db, "target_id", where),
    deniedPairs: pairs.map((p) => ({ requester: p.r ?? ERASED_REQUESTER, target: p.t, count: num(p.n) })),
    newIdentities: await newIdentities(db, where, spec.periodStart),
    silentSources: await silentSources(db, spec.periodStart, spec.periodEnd, seqTo),
    alerts: await alerts(db, spec.periodStart, spec.periodEnd, seqTo),
    integrity: await latestIntegrity(db),
  };
}

/** What the report says about the bundle's own checkpoint and its witnesses. */
export type ReportContext = {
  bundleId: string;
  createdAt: string;
  origin: string;
  count: number;
  firstSeq: number;
  lastSeq: number;
  treeSize: number;
  rootHash: string;
  keyId: string;
  fingerprint: string;
  witnesses: BundleWitnesses | undefined;
};
