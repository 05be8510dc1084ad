import "server-only";
import type { Param, SqlDriver } from "../db/driver.ts";
import type { GroupPlan } from "./group-plan.ts";

// The derived tables the sequencer keeps in each group commit's transaction, so they can
// never disagree with a committed group: the explorer's histogram and type facet, the alert
// rules' per-source counts and last appends, trace search's rollups. Derived data for
// charts, rules and finding traces — nothing is proven from it (docs/trust-model.md).

/**
 * The explorer's histogram rollup (migration 0004, `entry_counts`): entries per
 * 10-minute bucket of the claimed timestamp (its first 15 characters) and outcome,
 * kept in the append transaction so it can never disagree with a committed batch.
 * Derived data for charts only — nothing is proven from it.
 */
export const COUNT_BUCKET_CHARS = 15;
const COUNT_UPSERT: Upsert = {
  table: "entry_counts",
  columns: ["bucket", "outcome", "n"],
  tail: "ON CONFLICT (bucket, outcome) DO UPDATE SET n = entry_counts.n + excluded.n",
};

/** The alert rules' rollups (migration 0014): per source as well, and each source's last append. */
const SOURCE_COUNT_UPSERT: Upsert = {
  table: "source_counts",
  columns: ["bucket", "source", "outcome", "n"],
  tail: "ON CONFLICT (bucket, source, outcome) DO UPDATE SET n = source_counts.n + excluded.n",
};
const TYPE_COUNT_UPSERT: Upsert = {
  table: "type_counts",
  columns: ["bucket", "outcome", "event_type", "n"],
  tail: "ON CONFLICT (bucket, outcome, event_type) DO UPDATE SET n = type_counts.n + excluded.n",
};
const SOURCE_ACTIVITY_UPSERT: Upsert = {
  table: "source_activity",
  columns: ["source", "last_received_at", "last_seq"],
  tail: "ON CONFLICT (source) DO UPDATE SET last_received_at = excluded.last_received_at, last_seq = excluded.last_seq",
};

/**
 * Trace search's rollups (migrations 0011, 0021): one row per trace, one per (trace, service or
 * requester). CASE, not min/max or LEAST/GREATEST: the one statement runs on both stores.
 */
const TRACE_UPSERT: Upsert = {
  table: "traces",
  columns: ["correlation_id", "first_ts", "last_ts", "entries", "denied", "failed"],
  tail:
    "ON CONFLICT (correlation_id) DO UPDATE SET" +
    " first_ts = CASE WHEN excluded.first_ts < traces.first_ts THEN excluded.first_ts ELSE traces.first_ts END," +
    " last_ts = CASE WHEN excluded.last_ts > traces.last_ts THEN excluded.last_ts ELSE traces.last_ts END," +
    " entries = traces.entries + excluded.entries, denied = traces.denied + excluded.denied," +
    " failed = traces.failed + excluded.failed",
};
const TRACE_SERVICE_UPSERT: Upsert = {
  table: "trace_services",
  columns: ["correlation_id", "name", "last_ts"],
  tail:
    "ON CONFLICT (correlation_id, name) DO UPDATE SET" +
    " last_ts = CASE WHEN excluded.last_ts > trace_services.last_ts THEN excluded.last_ts ELSE trace_services.last_ts END",
};

type Upsert = { table: string; columns: string[]; tail: string };

/**
 * Rows of a rollup upserted in the group's transaction (their keys are distinct: each comes from
 * one Map): SQLite one cached statement per row, PostgreSQL one unnested statement (insertMany).
 */
function upsertRows(tx: SqlDriver, u: Upsert, rows: Param[][]): Promise<void> {
  return tx.insertMany(u.table, u.columns, rows, u.tail);
}

/** The histogram's, the type facet's, the alert rules' and trace search's rollups of one group commit, in its transaction. */
export async function writeRollups(tx: SqlDriver, plan: GroupPlan): Promise<void> {
  const split = (m: Map<string, number | string>) => [...m].map(([key, n]) => [...key.split("\u0000"), n]);
  await upsertRows(tx, COUNT_UPSERT, split(plan.counts));
  await upsertRows(tx, TYPE_COUNT_UPSERT, split(plan.typeCounts));
  await upsertRows(tx, SOURCE_COUNT_UPSERT, split(plan.sourceCounts));
  await upsertRows(
    tx,
    SOURCE_ACTIVITY_UPSERT,
    [...plan.lastSeqBySource].map(([source, seq]) => [source, plan.receivedAt, seq]),
  );
  await upsertRows(
    tx,
    TRACE_UPSERT,
    [...plan.traces].map(([id, t]) => [id, t.first, t.last, t.entries, t.denied, t.failed]),
  );
  await upsertRows(tx, TRACE_SERVICE_UPSERT, split(plan.traceServices));
}
