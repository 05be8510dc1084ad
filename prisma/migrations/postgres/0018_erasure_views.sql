-- Erased and pruned entries where readers look (issue 18, s6-eraseui; docs/retention.md).
--
-- 1. The trace rollup (0011) listed a committed requester id (leaf v2: the column holds "")
--    as "": trace search by requester missed it, and the trace list showed an empty name.
--    It now lists the kept value, taken from entry_secrets when the sequencer inserts it (in
--    the same transaction, right after the entries), and never "". An erasure of
--    /requester/id rebuilds the rollup rows of the traces it touches (retention/apply.ts
--    rebuildTraces), so no rollup keeps an erased value.
-- 2. The explorer and trace pages say how many entries claimed in their time range were
--    pruned (a pruned entry matches no filter): a partial index on the pruned rows' ts, so
--    a range with nothing pruned costs one index probe.

CREATE OR REPLACE FUNCTION ledgerline_trace_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
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
      SELECT correlation_id, requester_id AS name, ts FROM new_entries
       WHERE correlation_id IS NOT NULL AND requester_id <> ''
    ) AS x GROUP BY correlation_id, name
  ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = GREATEST(s.last_ts, excluded.last_ts);
  RETURN NULL;
END;
$$;

CREATE FUNCTION ledgerline_trace_rollup_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO trace_services AS s (correlation_id, name, last_ts)
    SELECT e.correlation_id, n.value::jsonb #>> '{}', MAX(e.ts)
      FROM new_secrets n JOIN entries e ON e.seq = n.seq
     WHERE n.pointer = '/requester/id' AND e.correlation_id IS NOT NULL
     GROUP BY 1, 2
  ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = GREATEST(s.last_ts, excluded.last_ts);
  RETURN NULL;
END;
$$;
CREATE TRIGGER entry_secrets_trace_rollup AFTER INSERT ON entry_secrets
  REFERENCING NEW TABLE AS new_secrets FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_trace_rollup_secrets();

DELETE FROM trace_services WHERE name = '';
INSERT INTO trace_services AS t (correlation_id, name, last_ts)
  SELECT e.correlation_id, s.value::jsonb #>> '{}', MAX(e.ts)
    FROM entry_secrets s JOIN entries e ON e.seq = s.seq
   WHERE s.pointer = '/requester/id' AND e.correlation_id IS NOT NULL
   GROUP BY 1, 2
ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = GREATEST(t.last_ts, excluded.last_ts);

CREATE INDEX entries_pruned_ts ON entries (ts, pruned_by) WHERE pruned_by IS NOT NULL;
