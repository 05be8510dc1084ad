-- Alert rules (issue 19; lib/server/alerts/, docs/alerts.md).
--
-- source_counts: entries per 10-minute bucket of the claimed timestamp (its first 15
-- characters, as entry_counts), source and outcome, kept by the sequencer in each append
-- transaction. A rule whose filter names only source and outcome reads a few rows of
-- this per evaluation instead of counting entries. Derived data, not evidence.
CREATE TABLE source_counts (
  bucket  TEXT NOT NULL,
  source  TEXT NOT NULL,
  outcome TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (bucket, source, outcome)
);
INSERT INTO source_counts (bucket, source, outcome, n)
  SELECT substr(ts, 1, 15), source, outcome, COUNT(*) FROM entries WHERE pruned_by IS NULL
  GROUP BY substr(ts, 1, 15), source, outcome;

-- source_activity: when each source last appended (server clock) and its last seq, one
-- row per source, upserted in the append transaction: what "silent for N minutes" reads.
CREATE TABLE source_activity (
  source           TEXT PRIMARY KEY,
  last_received_at TEXT NOT NULL,
  last_seq         INTEGER NOT NULL
);
INSERT INTO source_activity (source, last_received_at, last_seq)
  SELECT source, MAX(received_at), MAX(seq) FROM entries GROUP BY source;

-- alert_rules: an explorer filter, one condition and the channels to deliver to. Changes
-- are meta-audit entries (alert.rule.*); the table is mutable on purpose.
CREATE TABLE alert_rules (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  filter      TEXT NOT NULL DEFAULT '{}',   -- JSON EventFilter (lib/core/event-filter.ts)
  condition   TEXT NOT NULL,                -- JSON AlertCondition (lib/core/alerts/condition.ts)
  channels    TEXT NOT NULL DEFAULT '[]',   -- JSON AlertChannel[]
  enabled     INTEGER NOT NULL DEFAULT 1,
  cursor_seq  INTEGER NOT NULL DEFAULT 0,  -- integrity rules: failure entries up to here were seen
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

-- alerts: one row per firing, firing -> acknowledged -> resolved. At most one open alert
-- per rule and key (the source of a silent-source rule, else ''): the partial unique index
-- is the de-duplication, also between two server processes evaluating at once.
CREATE TABLE alerts (
  id              TEXT PRIMARY KEY,
  rule_id         TEXT NOT NULL,
  rule_name       TEXT NOT NULL,
  alert_key       TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
  summary         TEXT NOT NULL,
  value           REAL NOT NULL,
  threshold       REAL NOT NULL,
  fired_at        TEXT NOT NULL,
  fired_seq       INTEGER,
  acknowledged_at TEXT,
  acknowledged_by TEXT,
  resolved_at     TEXT,
  resolved_by     TEXT
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule_id, alert_key) WHERE state <> 'resolved';
CREATE INDEX alerts_fired ON alerts (fired_at);

-- alert_deliveries: one row per (alert, channel, event) to send; retried with back-off
-- until sent or out of attempts ('failed'), shown on /alerts.
CREATE TABLE alert_deliveries (
  id              TEXT PRIMARY KEY,
  alert_id        TEXT NOT NULL,
  channel         INTEGER NOT NULL,            -- index into the rule's channels at firing time
  kind            TEXT NOT NULL,
  target          TEXT NOT NULL,               -- JSON of the channel (no secrets are stored in channels)
  event           TEXT NOT NULL CHECK (event IN ('fired', 'acknowledged', 'resolved')),
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  sent_at         TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_at);
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id);
