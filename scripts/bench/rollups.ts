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
];
