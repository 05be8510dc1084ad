-- Erasure that keeps every proof valid (issue 18 part 2, docs/retention.md § Erasure):
-- leaf v2 commits personal fields as sha256(tag ‖ 0x00 ‖ salt ‖ JCS(value)) (docs/format.md
-- § 8.3); the values and salts live outside the leaf, in entry_secrets, and go only
-- along an erasure receipt (or with the pruned body of their entry).

-- The commitments of a v2 leaf (canonical JSON, pointer → hex); NULL = a v1 leaf.
ALTER TABLE entries ADD COLUMN personal TEXT;

-- Which fields of a source are personal (config, edited by admins; every change is a
-- meta-audit entry). source '*' = every source.
CREATE TABLE personal_fields (
  source     TEXT   NOT NULL,
  pointer    TEXT   NOT NULL,
  updated_at TEXT   NOT NULL,
  updated_by TEXT   NOT NULL,
  audit_seq  BIGINT NOT NULL,
  PRIMARY KEY (source, pointer)
);

-- The value (canonical JSON) and 32-byte salt of each committed field.
CREATE TABLE entry_secrets (
  seq     BIGINT NOT NULL,
  pointer TEXT   NOT NULL,
  value   TEXT   NOT NULL,
  salt    BYTEA  NOT NULL,
  PRIMARY KEY (seq, pointer)
);
CREATE INDEX entry_secrets_value ON entry_secrets (pointer, value);

-- The fields an erasure receipt erased: seq ranges of one pointer. Append-only.
CREATE TABLE erased_ranges (
  receipt_seq BIGINT NOT NULL,
  first_seq   BIGINT NOT NULL,
  last_seq    BIGINT NOT NULL,
  pointer     TEXT   NOT NULL,
  PRIMARY KEY (receipt_seq, first_seq),
  CHECK (first_seq >= 1 AND first_seq <= last_seq AND last_seq < receipt_seq)
);

CREATE TRIGGER erased_ranges_no_update BEFORE UPDATE ON erased_ranges FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER erased_ranges_no_delete BEFORE DELETE ON erased_ranges FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER erased_ranges_no_truncate BEFORE TRUNCATE ON erased_ranges FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER entry_secrets_no_update BEFORE UPDATE ON entry_secrets FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER entry_secrets_no_truncate BEFORE TRUNCATE ON entry_secrets FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();

-- A secret row goes only when an erasure receipt (in the log, body intact) lists its
-- pointer and seq, or when its entry's body was pruned (along a prune receipt, which
-- the entries guard checks). Checked at every start by lib/server/db/guards.ts: this exact body.
CREATE FUNCTION ledgerline_secrets_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erased_ranges r JOIN entries e ON e.seq = r.receipt_seq
      WHERE r.pointer = OLD.pointer AND OLD.seq BETWEEN r.first_seq AND r.last_seq
        AND e.action = 'ledgerline.erasure-receipt/v1' AND e.pruned_by IS NULL)
    OR EXISTS (SELECT 1 FROM entries p WHERE p.seq = OLD.seq AND p.pruned_by IS NOT NULL) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER entry_secrets_no_delete BEFORE DELETE ON entry_secrets FOR EACH ROW EXECUTE FUNCTION ledgerline_secrets_erase_only();

-- Pruning now also clears the commitments (the body is gone; the leaf hash stays).
CREATE OR REPLACE FUNCTION ledgerline_entries_prune_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.pruned_by IS NULL AND NEW.pruned_by IS NOT NULL AND OLD.seq < NEW.pruned_by
    AND NEW.seq = OLD.seq AND NEW.leaf_hash = OLD.leaf_hash AND NEW.event_id = OLD.event_id
    AND NEW.source = OLD.source AND NEW.ts = OLD.ts AND NEW.received_at = OLD.received_at
    AND NEW.event_type = '' AND NEW.requester_id = '' AND NEW.requester_type = '' AND NEW.target_id = ''
    AND NEW.outcome = '' AND NEW.requester_ip IS NULL AND NEW.target_service IS NULL AND NEW.target_type IS NULL
    AND NEW.action IS NULL AND NEW.correlation_id IS NULL AND NEW.reason IS NULL AND NEW.attributes IS NULL
    AND NEW.personal IS NULL
    AND EXISTS (SELECT 1 FROM pruned_ranges r JOIN entries e ON e.seq = r.receipt_seq
      WHERE r.receipt_seq = NEW.pruned_by AND OLD.seq BETWEEN r.first_seq AND r.last_seq
        AND e.action = 'ledgerline.prune-receipt/v1' AND e.pruned_by IS NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
