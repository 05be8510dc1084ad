// The rollups the sequencer keeps in the append transaction, rebuilt in one pass after a bench
// loader has bulk-inserted entries behind the sequencer's back (SQLite generate.ts, the
// PostgreSQL copy in explorer.ts). The same statements as the migrations' backfills (0004
// entry_counts, 0014 source_counts / source_activity, 0017 type_counts); valid in both dialects.
// Without them the explorer's facets read empty rollups and the figures measure nothing.
export const ROLLUP_REBUILD: string[] = [
  "DELETE FROM entry_counts",
  "INSERT INTO entry_counts (bucket, outcome, n) SELECT substr(ts, 1, 15), outcome, COUNT(*) FROM entries WHERE pruned_by IS NULL GROUP BY 1, 2",
  "DELETE FROM type_counts",
  "INSERT INTO type_counts (bucket, outcome, event_type, n) SELECT substr(ts, 1, 15), outcome, event_type, COUNT(*) FROM entries WHERE pruned_by IS NULL GROUP BY 1, 2, 3",
  "DELETE FROM source_counts",
  "INSERT INTO source_counts (bucket, source, outcome, n) SELECT substr(ts, 1, 15), source, outcome, COUNT(*) FROM entries WHERE pruned_by IS NULL GROUP BY 1, 2, 3",
  "DELETE FROM source_activity",
  "INSERT INTO source_activity (source, last_received_at, last_seq) SELECT source, MAX(received_at), MAX(seq) FROM entries GROUP BY source",
  // Trace search (0011; kept by the sequencer since 0021). The loaders write v1 leaves only:
  // every requester id is in its column.
  "DELETE FROM traces",
  "INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed) SELECT correlation_id, MIN(ts), MAX(ts), COUNT(*), SUM(CASE WHEN outcome = 'denied' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END) FROM entries WHERE correlation_id IS NOT NULL AND pruned_by IS NULL GROUP BY correlation_id",
  "DELETE FROM trace_services",
  "INSERT INTO trace_services (correlation_id, name, last_ts) SELECT correlation_id, name, MAX(ts) FROM (SELECT correlation_id, target_service AS name, ts FROM entries WHERE correlation_id IS NOT NULL AND target_service IS NOT NULL AND pruned_by IS NULL UNION ALL SELECT correlation_id, requester_id AS name, ts FROM entries WHERE correlation_id IS NOT NULL AND requester_id <> '' AND pruned_by IS NULL) AS x GROUP BY correlation_id, name",
];
