-- The explorer's indexes (issue 4). Each ends in (ts, seq), the keyset of a page,
-- so "this requester, newest first, in this time range" walks one index range and
-- stops after a page; the histogram and top-N of a narrowed filter use the same
-- ranges. Pattern filters (exact or prefix) are index ranges on these columns.
-- SQLite compares TEXT by memcmp of UTF-8 (code point order), as the filter's
-- reference semantics (lib/core/event-filter.ts) do.

CREATE INDEX entries_requester_ts ON entries (requester_id, ts, seq);
-- Covers the histogram (time buckets × outcome) of a time range: the count reads
-- the index alone, never the rows (24 h of a 10 M-entry log: ~0.2 s instead of ~1 s).
CREATE INDEX entries_ts_outcome ON entries (ts, outcome);
CREATE INDEX entries_target_ts ON entries (target_id, ts, seq);
CREATE INDEX entries_service_ts ON entries (target_service, ts, seq) WHERE target_service IS NOT NULL;

-- Entries per 10-minute bucket of the claimed timestamp (its first 15 characters,
-- "YYYY-MM-DDTHH:M") and outcome, maintained by the sequencer in each append
-- transaction. Histograms of long ranges read a few thousand rows of this instead of
-- millions of entries. Derived data for charts, not evidence: not append-only.
CREATE TABLE entry_counts (
  bucket  TEXT NOT NULL,
  outcome TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (bucket, outcome)
);
INSERT INTO entry_counts (bucket, outcome, n)
  SELECT substr(ts, 1, 15), outcome, COUNT(*) FROM entries GROUP BY substr(ts, 1, 15), outcome;
