-- Retention (issue 18 part 1): policies, legal holds, and pruning of entry bodies
-- that keeps every proof valid (docs/retention.md).
--
-- An entry's body can be cleared only by an UPDATE that (1) keeps seq, leaf_hash,
-- event_id, source, ts and received_at, (2) clears every other column, and
-- (3) sets pruned_by to the seq of a prune receipt entry (already in the log)
-- whose pruned_ranges row covers the entry. DELETE stays refused. An insider who
-- drops the trigger is caught by verification: a cleared body without a receipt
-- no longer hashes to its leaf (modified) or names a receipt that does not cover it.

ALTER TABLE entries ADD COLUMN pruned_by INTEGER;   -- seq of the prune receipt; NULL while the body is kept

-- Config, edited by admins through lib/server/retention (every change is a
-- meta-audit entry): not evidence, so not append-only. The default policy is
-- the row named 'default' (NULL days = keep forever).
CREATE TABLE retention_policies (
  name       TEXT    PRIMARY KEY,
  filter     TEXT    NOT NULL,                  -- canonical JSON of an explorer filter ({} = everything)
  days       INTEGER,                           -- NULL = keep forever
  updated_at TEXT    NOT NULL,
  updated_by TEXT    NOT NULL,
  audit_seq  INTEGER NOT NULL                   -- the meta-audit entry of the last change
);
INSERT INTO retention_policies (name, filter, days, updated_at, updated_by, audit_seq)
  VALUES ('default', '{}', NULL, '1970-01-01T00:00:00.000Z', 'migration 0012', 0);

-- Legal holds: placing and releasing are log entries (placed_seq, released_seq).
CREATE TABLE legal_holds (
  id           TEXT PRIMARY KEY,
  filter       TEXT NOT NULL,
  reason       TEXT NOT NULL,
  case_ref     TEXT NOT NULL,
  placed_at    TEXT NOT NULL,
  placed_by    TEXT NOT NULL,
  placed_seq   INTEGER NOT NULL,
  released_at  TEXT,
  released_by  TEXT,
  released_seq INTEGER
);

-- Seq ranges whose bodies a receipt pruned. Append-only like the ledger.
CREATE TABLE pruned_ranges (
  receipt_seq INTEGER NOT NULL,
  first_seq   INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL,
  PRIMARY KEY (receipt_seq, first_seq),
  CHECK (first_seq >= 1 AND first_seq <= last_seq AND last_seq < receipt_seq)
) WITHOUT ROWID;
CREATE INDEX entries_pruned_by ON entries (pruned_by) WHERE pruned_by IS NOT NULL;

CREATE TRIGGER pruned_ranges_no_update BEFORE UPDATE ON pruned_ranges
BEGIN SELECT RAISE(ABORT, 'ledgerline: pruned_ranges are append-only (UPDATE refused)'); END;
CREATE TRIGGER pruned_ranges_no_delete BEFORE DELETE ON pruned_ranges
BEGIN SELECT RAISE(ABORT, 'ledgerline: pruned_ranges are append-only (DELETE refused)'); END;

DROP TRIGGER entries_no_update;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
WHEN NOT (OLD.pruned_by IS NULL AND NEW.pruned_by IS NOT NULL AND OLD.seq < NEW.pruned_by
  AND NEW.seq = OLD.seq AND NEW.leaf_hash = OLD.leaf_hash AND NEW.event_id = OLD.event_id
  AND NEW.source = OLD.source AND NEW.ts = OLD.ts AND NEW.received_at = OLD.received_at
  AND NEW.event_type = '' AND NEW.requester_id = '' AND NEW.requester_type = '' AND NEW.target_id = ''
  AND NEW.outcome = '' AND NEW.requester_ip IS NULL AND NEW.target_service IS NULL AND NEW.target_type IS NULL
  AND NEW.action IS NULL AND NEW.correlation_id IS NULL AND NEW.reason IS NULL AND NEW.attributes IS NULL
  AND EXISTS (SELECT 1 FROM pruned_ranges r JOIN entries e ON e.seq = r.receipt_seq
    WHERE r.receipt_seq = NEW.pruned_by AND OLD.seq BETWEEN r.first_seq AND r.last_seq
      AND e.action = 'ledgerline.prune-receipt/v1' AND e.pruned_by IS NULL))
BEGIN SELECT RAISE(ABORT, 'ledgerline: entries are append-only (UPDATE refused)'); END;
