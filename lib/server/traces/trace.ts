import "server-only";
import type { Outcome } from "@/lib/schemas/event.ts";
import { recordRepeatableAudit, type AuditRuntime } from "../audit/audit-repeats.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { EntryRow } from "../ledger/entry.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { serializeRows, type EventItem } from "../events/query.ts";
import { analyzeTrace, targetNode, type AnalyzeOptions, type TraceAnalysis, type TraceFact } from "./analyze.ts";
import { checkCorrelationId } from "@/lib/schemas/correlation-id.ts";
import type { SqlDriver } from "../db/driver.ts";
import { keptRequesterSql } from "../ledger/store/secrets.ts";
import { prunedInRange, type PrunedSummary } from "../retention/pruned-view.ts";

// One request followed across the fleet: every entry sharing a correlation id,
// in claimed-time order (timestamp, then seq), read along the partial index
// entries (correlation_id, ts, seq) — one index range, whatever the log's size.

/** The target id of trace-view meta-audit entries: `ledgerline:traces/<correlationId>`. */
export const TRACES_TARGET = "ledgerline:traces";

/** Entries returned in full at most; the analysis still covers up to ANALYSIS_LIMIT. */
export const TRACE_ENTRY_LIMIT = 10_000;
/** Entries analysed at most (lanes, graph, gaps, clocks, buckets) — a runaway id shared by millions stays bounded. */
export const TRACE_ANALYSIS_LIMIT = 250_000;

export type TraceEntry = EventItem & {
  /** Milliseconds from the trace's first timestamp. */
  relMs: number;
  /** The requester's lane (its requester id). */
  lane: string;
  /** The target's lane (its target service, else its target id). */
  to: string;
  /** True when a clock-honesty finding names this entry. */
  clockFinding?: true;
};

export type Trace = TraceAnalysis & {
  correlationId: string;
  /** Entries in the trace. */
  total: number;
  /** Entries returned in `entries` (the first by timestamp, seq). */
  returned: number;
  /** True when `entries` holds fewer than `total`. */
  truncated: boolean;
  /** Entries the lanes, graph, gaps and clock findings cover (less than total only past TRACE_ANALYSIS_LIMIT). */
  analyzed: number;
  entries: TraceEntry[];
  /** Entries claimed within the trace's span whose bodies (correlation id included) retention pruned. */
  pruned: PrunedSummary;
};

export type TraceOptions = AnalyzeOptions & { limit?: number; analysisLimit?: number };

/** The lane of a requester whose id was erased (leaf v2): one lane for all of them, never the value. */
const ERASED_LANE = "(erased)";

/** The analysis's columns; the requester id as readers see it (kept value of a committed one, "(erased)" once erased). */
const factColumns = (dialect: SqlDriver["dialect"]) =>
  `seq, ts, received_at, COALESCE(${keptRequesterSql(dialect)}, '${ERASED_LANE}') AS requester_id, requester_type, target_id, target_service, outcome, action`;

type FactRow = Pick<
  EntryRow,
  | "seq"
  | "ts"
  | "received_at"
  | "requester_id"
  | "requester_type"
  | "target_id"
  | "target_service"
  | "outcome"
  | "action"
>;

const toFact = (r: FactRow): TraceFact => ({
  seq: Number(r.seq),
  ts: r.ts,
  receivedAt: r.received_at,
  requesterId: r.requester_id,
  requesterType: r.requester_type,
  targetId: r.target_id,
  targetService: r.target_service,
  outcome: r.outcome as Outcome,
  action: r.action,
});

// `correlation_id IS NOT NULL` repeats the partial index's predicate so both
// planners pick it without having to prove that `= ?` implies it.
const WHERE = "correlation_id = ? AND correlation_id IS NOT NULL";

/**
 * Pruned hops lost their correlation id with their body, so no trace finds them: how many
 * entries claimed during the trace's span were pruned (some may have belonged to it).
 */
async function prunedDuring(db: SqlDriver, a: TraceAnalysis): Promise<PrunedSummary> {
  if (!a.start) return { total: 0, groups: [] };
  return prunedInRange(db, a.start, new Date(Date.parse(a.start) + a.durationMs + 1).toISOString());
}

/** The trace of one correlation id, without a permission check or audit (the bench, and viewTrace). */
export async function queryTrace(ledger: Ledger, correlationId: string, opts: TraceOptions = {}): Promise<Trace> {
  const limit = Math.max(1, Math.floor(opts.limit ?? TRACE_ENTRY_LIMIT));
  const analysisLimit = Math.max(limit, Math.floor(opts.analysisLimit ?? TRACE_ANALYSIS_LIMIT));
  const rows = await ledger.db.all<EntryRow>(
    `SELECT * FROM entries WHERE ${WHERE} ORDER BY ts, seq LIMIT ${limit + 1}`,
    [correlationId],
  );
  const truncated = rows.length > limit;
  if (truncated) rows.length = limit;

  // Readers see kept personal values (leaf v2): the lanes and graph must too, never "".
  const items = await serializeRows(ledger.db, rows);
  let facts: TraceFact[];
  let total = rows.length;
  if (!truncated) {
    facts = rows.map((r, i) => ({ ...toFact(r), requesterId: items[i]!.requester.id ?? ERASED_LANE }));
  } else {
    // Past the entry limit only the columns the analysis needs are read, so the
    // graph, lanes and buckets still describe the whole trace (up to analysisLimit).
    const [count, narrow] = await Promise.all([
      ledger.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM entries WHERE ${WHERE}`, [correlationId]),
      ledger.db.all<FactRow>(
        `SELECT ${factColumns(ledger.db.dialect)} FROM entries WHERE ${WHERE} ORDER BY ts, seq LIMIT ${analysisLimit}`,
        [correlationId],
      ),
    ]);
    total = Number(count?.n ?? 0);
    facts = narrow.map(toFact);
  }

  const analysis = analyzeTrace(facts, opts);
  const flagged = new Set(analysis.clock.seqs);
  const t0 = analysis.start ? Date.parse(analysis.start) : 0;
  const entries: TraceEntry[] = items.map((item) => {
    const e: TraceEntry = {
      ...item,
      relMs: Date.parse(item.timestamp) - t0,
      // An erased requester id (leaf v2) has no lane of its own.
      lane: item.requester.id ?? ERASED_LANE,
      to: targetNode({ targetId: item.target.id, targetService: item.target.service ?? null }),
    };
    if (flagged.has(item.seq)) e.clockFinding = true;
    return e;
  });
  const pruned = await prunedDuring(ledger.db, analysis);
  return {
    correlationId,
    total,
    returned: entries.length,
    truncated,
    analyzed: facts.length,
    entries,
    pruned,
    ...analysis,
  };
}

/**
 * The timeline page and `GET /api/v1/traces/{id}`: checks traces:read, refuses ids
 * no entry can carry, and records the view in the ledger before answering (fail
 * closed: a trace nobody can see was viewed is not shown).
 */
export async function viewTrace(
  ledger: AuditRuntime,
  p: Principal | null,
  correlationId: string,
  opts: TraceOptions = {},
): Promise<Trace> {
  assertCan(p, "traces:read");
  const id = checkCorrelationId(correlationId);
  if (!id.ok) {
    throw new AppError("bad_request", `The correlation id ${id.detail}.`, {
      errors: [{ parameter: "correlationId", detail: id.detail }],
    });
  }
  // Repeats of this view within the read-audit window are counted into one later entry.
  await recordRepeatableAudit(ledger, actorOf(p), {
    action: "traces.view",
    eventType: "read",
    outcome: "success",
    target: { id: `${TRACES_TARGET}/${id.value}`, type: "trace" },
  });
  return queryTrace(ledger, id.value, opts);
}
