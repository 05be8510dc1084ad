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

DROP TRIGGER entries_trace_rollup;
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
    SELECT NEW.correlation_id, NEW.requester_id, NEW.ts WHERE NEW.requester_id <> ''
    ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts);
END;

CREATE TRIGGER entry_secrets_trace_rollup AFTER INSERT ON entry_secrets WHEN NEW.pointer = '/requester/id'
BEGIN
  INSERT INTO trace_services (correlation_id, name, last_ts)
    SELECT e.correlation_id, json_extract(NEW.value, '$'), e.ts FROM entries e
     WHERE e.seq = NEW.seq AND e.correlation_id IS NOT NULL
    ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts);
END;

DELETE FROM trace_services WHERE name = '';
INSERT INTO trace_services (correlation_id, name, last_ts)
  SELECT c, n, t FROM (
    SELECT e.correlation_id AS c, json_extract(s.value, '$') AS n, MAX(e.ts) AS t
      FROM entry_secrets s JOIN entries e ON e.seq = s.seq
     WHERE s.pointer = '/requester/id' AND e.correlation_id IS NOT NULL
     GROUP BY 1, 2
  ) WHERE n IS NOT NULL
  ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts);

CREATE INDEX entries_pruned_ts ON entries (ts, pruned_by) WHERE pruned_by IS NOT NULL;
