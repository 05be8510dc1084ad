-- Trace search (issue 15 item 10): /trace and GET /api/v1/traces list traces —
-- recent ones, by service, by time, with denials or failures — without grouping
-- millions of entries by correlation id at every request. Two small rollups,
-- kept by an AFTER INSERT trigger on entries so they commit (or roll back) with
-- the batch that changed them, whatever code path appended it:
--   traces          one row per correlation id: first/last claimed time, counts
--   trace_services  one row per (correlation id, service): every target service
--                   and every requester id that took part, with its last time
-- Derived data for finding traces, not evidence: not append-only. A trace found
-- here is always shown from the entries themselves (lib/server/traces/trace.ts);
-- an insider who edits these rows can hide a trace from the list, never change it
-- (docs/trust-model.md).

CREATE TABLE traces (
  correlation_id TEXT    PRIMARY KEY,
  first_ts       TEXT    NOT NULL,
  last_ts        TEXT    NOT NULL,
  entries        INTEGER NOT NULL,
  denied         INTEGER NOT NULL,
  failed         INTEGER NOT NULL
);
-- Newest first (the keyset of a page is (last_ts, correlation_id)); the partial
-- ones serve "has denied" / "has failed" without reading the other traces.
CREATE INDEX traces_last ON traces (last_ts, correlation_id);
CREATE INDEX traces_denied_last ON traces (last_ts, correlation_id) WHERE denied > 0;
CREATE INDEX traces_failed_last ON traces (last_ts, correlation_id) WHERE failed > 0;

CREATE TABLE trace_services (
  correlation_id TEXT NOT NULL,
  name           TEXT NOT NULL,
  last_ts        TEXT NOT NULL,
  PRIMARY KEY (correlation_id, name)
) WITHOUT ROWID;
CREATE INDEX trace_services_name_last ON trace_services (name, last_ts, correlation_id);

INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed)
  SELECT correlation_id, MIN(ts), MAX(ts), COUNT(*), SUM(outcome = 'denied'), SUM(outcome = 'failure')
    FROM entries WHERE correlation_id IS NOT NULL GROUP BY correlation_id;
INSERT INTO trace_services (correlation_id, name, last_ts)
  SELECT correlation_id, name, MAX(ts) FROM (
    SELECT correlation_id, target_service AS name, ts FROM entries
     WHERE correlation_id IS NOT NULL AND target_service IS NOT NULL
    UNION ALL
    SELECT correlation_id, requester_id AS name, ts FROM entries WHERE correlation_id IS NOT NULL
  ) GROUP BY correlation_id, name;

CREATE TRIGGER entries_trace_rollup AFTER INSERT ON entries WHEN NEW.correlation_id IS NOT NULL
BEGIN
  INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed)
    VALUES (NEW.correlation_id, NEW.ts, NEW.ts, 1, NEW.outcome = 'denied', NEW.outcome = 'failure')
    ON CONFLICT (correlation_id) DO UPDATE SET
      first_ts = min(first_ts, excluded.first_ts),
      last_ts = max(last_ts, excluded.last_ts),
      entries = entries + 1,
      denied = denied + excluded.denied,
      failed = failed + excluded.failed;
  INSERT INTO trace_services (correlation_id, name, last_ts)
    SELECT NEW.correlation_id, NEW.target_service, NEW.ts WHERE NEW.target_service IS NOT NULL
    ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts);
  INSERT INTO trace_services (correlation_id, name, last_ts)
    VALUES (NEW.correlation_id, NEW.requester_id, NEW.ts)
    ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts);
END;
