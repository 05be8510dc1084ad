-- The explorer's type facet (issue 15 item 6) at 10 M entries: entries per 10-minute
-- bucket of the claimed timestamp (its first 15 characters, as entry_counts), outcome and
-- event type, kept by the sequencer in each append transaction and lowered by the prune.
-- The facet of a time (and outcome) filter reads a few thousand rows of this instead of
-- every entry in its range (7 days of a 1 M-entry log: ~2 s before). Derived data for the
-- chips only, not evidence: not append-only.
CREATE TABLE type_counts (
  bucket     TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  event_type TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (bucket, outcome, event_type)
);
INSERT INTO type_counts (bucket, outcome, event_type, n)
  SELECT substr(ts, 1, 15), outcome, event_type, COUNT(*) FROM entries WHERE pruned_by IS NULL
  GROUP BY substr(ts, 1, 15), outcome, event_type;
