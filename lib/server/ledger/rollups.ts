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
  head: "INSERT INTO entry_counts (bucket, outcome, n)",
  tail: "ON CONFLICT (bucket, outcome) DO UPDATE SET n = entry_counts.n + excluded.n",
  width: 3,
};

/** The alert rules' rollups (migration 0014): per source as well, and each source's last append. */
const SOURCE_COUNT_UPSERT: Upsert = {
  head: "INSERT INTO source_counts (bucket, source, outcome, n)",
  tail: "ON CONFLICT (bucket, source, outcome) DO UPDATE SET n = source_counts.n + excluded.n",
  width: 4,
};
const TYPE_COUNT_UPSERT: Upsert = {
  head: "INSERT INTO type_counts (bucket, outcome, event_type, n)",
  tail: "ON CONFLICT (bucket, outcome, event_type) DO UPDATE SET n = type_counts.n + excluded.n",
  width: 4,
};
const SOURCE_ACTIVITY_UPSERT: Upsert = {
  head: "INSERT INTO source_activity (source, last_received_at, last_seq)",
  tail: "ON CONFLICT (source) DO UPDATE SET last_received_at = excluded.last_received_at, last_seq = excluded.last_seq",
  width: 3,
};

/**
 * Trace search's rollups (migrations 0011, 0021): one row per trace, one per (trace, service or
 * requester). CASE, not min/max or LEAST/GREATEST: the one statement runs on both stores.
 */
const TRACE_UPSERT: Upsert = {
  head: "INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed)",
  tail:
    "ON CONFLICT (correlation_id) DO UPDATE SET" +
    " first_ts = CASE WHEN excluded.first_ts < traces.first_ts THEN excluded.first_ts ELSE traces.first_ts END," +
    " last_ts = CASE WHEN excluded.last_ts > traces.last_ts THEN excluded.last_ts ELSE traces.last_ts END," +
    " entries = traces.entries + excluded.entries, denied = traces.denied + excluded.denied," +
    " failed = traces.failed + excluded.failed",
  width: 6,
};
const TRACE_SERVICE_UPSERT: Upsert = {
  head: "INSERT INTO trace_services (correlation_id, name, last_ts)",
  tail:
    "ON CONFLICT (correlation_id, name) DO UPDATE SET" +
    " last_ts = CASE WHEN excluded.last_ts > trace_services.last_ts THEN excluded.last_ts ELSE trace_services.last_ts END",
  width: 3,
};

type Upsert = { head: string; tail: string; width: number };

/**
 * Rows of a rollup upserted in the group's transaction (their keys are distinct: each comes from
 * one Map). SQLite: one cached single-row statement per row, nothing to wait for. PostgreSQL: one
 * multi-row statement per 200 rows — every statement is a round trip, and a group of 100 events
 * touches dozens of rollup rows.
 */
async function upsertRows(tx: SqlDriver, u: Upsert, rows: Param[][]): Promise<void> {
  const per = tx.dialect === "sqlite" ? 1 : 200;
  const one = `(${Array.from({ length: u.width }, () => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await tx.run(`${u.head} VALUES ${chunk.map(() => one).join(", ")} ${u.tail}`, chunk.flat());
  }
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
