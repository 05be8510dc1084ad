-- Trace search (issue 15 item 10): /trace and GET /api/v1/traces list traces —
-- recent ones, by service, by time, with denials or failures — without grouping
-- millions of entries by correlation id at every request. Two small rollups,
-- kept by an AFTER INSERT statement trigger on entries (one pass over the batch's
-- transition table) so they commit (or roll back) with the batch that changed
-- them, whatever code path appended it:
--   traces          one row per correlation id: first/last claimed time, counts
--   trace_services  one row per (correlation id, service): every target service
--                   and every requester id that took part, with its last time
-- Derived data for finding traces, not evidence: not append-only. A trace found
-- here is always shown from the entries themselves (lib/server/traces/trace.ts);
-- an insider who edits these rows can hide a trace from the list, never change it
-- (docs/trust-model.md).

CREATE TABLE traces (
  correlation_id TEXT COLLATE "C" PRIMARY KEY,
  first_ts       TEXT COLLATE "C" NOT NULL,
  last_ts        TEXT COLLATE "C" NOT NULL,
  entries        BIGINT NOT NULL,
  denied         BIGINT NOT NULL,
  failed         BIGINT NOT NULL
);
-- Newest first (the keyset of a page is (last_ts, correlation_id)); the partial
-- ones serve "has denied" / "has failed" without reading the other traces.
CREATE INDEX traces_last ON traces (last_ts, correlation_id);
CREATE INDEX traces_denied_last ON traces (last_ts, correlation_id) WHERE denied > 0;
CREATE INDEX traces_failed_last ON traces (last_ts, correlation_id) WHERE failed > 0;

CREATE TABLE trace_services (
  correlation_id TEXT COLLATE "C" NOT NULL,
  name           TEXT COLLATE "C" NOT NULL,
  last_ts        TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (correlation_id, name)
);
CREATE INDEX trace_services_name_last ON trace_services (name, last_ts, correlation_id);

INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed)
  SELECT correlation_id, MIN(ts), MAX(ts), COUNT(*),
         COUNT(*) FILTER (WHERE outcome = 'denied'), COUNT(*) FILTER (WHERE outcome = 'failure')
    FROM entries WHERE correlation_id IS NOT NULL GROUP BY correlation_id;
INSERT INTO trace_services (correlation_id, name, last_ts)
  SELECT correlation_id, name, MAX(ts) FROM (
    SELECT correlation_id, target_service AS name, ts FROM entries
     WHERE correlation_id IS NOT NULL AND target_service IS NOT NULL
    UNION ALL
    SELECT correlation_id, requester_id AS name, ts FROM entries WHERE correlation_id IS NOT NULL
  ) AS x GROUP BY correlation_id, name;

CREATE FUNCTION ledgerline_trace_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO traces AS t (correlation_id, first_ts, last_ts, entries, denied, failed)
    SELECT correlation_id, MIN(ts), MAX(ts), COUNT(*),
           COUNT(*) FILTER (WHERE outcome = 'denied'), COUNT(*) FILTER (WHERE outcome = 'failure')
      FROM new_entries WHERE correlation_id IS NOT NULL GROUP BY correlation_id
  ON CONFLICT (correlation_id) DO UPDATE SET
    first_ts = LEAST(t.first_ts, excluded.first_ts),
    last_ts = GREATEST(t.last_ts, excluded.last_ts),
    entries = t.entries + excluded.entries,
    denied = t.denied + excluded.denied,
    failed = t.failed + excluded.failed;
  INSERT INTO trace_services AS s (correlation_id, name, last_ts)
    SELECT correlation_id, name, MAX(ts) FROM (
      SELECT correlation_id, target_service AS name, ts FROM new_entries
       WHERE correlation_id IS NOT NULL AND target_service IS NOT NULL
      UNION ALL
      SELECT correlation_id, requester_id AS name, ts FROM new_entries WHERE correlation_id IS NOT NULL
    ) AS x GROUP BY correlation_id, name
  ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = GREATEST(s.last_ts, excluded.last_ts);
  RETURN NULL;
END;
$$;
CREATE TRIGGER entries_trace_rollup AFTER INSERT ON entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_trace_rollup();
