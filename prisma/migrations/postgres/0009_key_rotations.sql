-- Keys that cannot be swapped (issue 14 part 2b; docs/keys.md). `signing_keys` becomes
-- append-only: a key's public half, once published, is never changed or removed, and a key is
-- no longer retired by an UPDATE but by an appended `key_rotations` row carrying the rotation
-- statement (lib/core/key-rotation.ts) signed by the old key and the new one. The same
-- statement is logged as an entry, so the checkpoint covering it (and its witnesses) vouch
-- for it. `retired_at` stays for keys retired before this migration; it is never written again.
CREATE TABLE key_rotations (
  new_key_id TEXT   PRIMARY KEY,                  -- the key this statement makes valid (signing_keys.key_id)
  old_key_id TEXT   NOT NULL,                     -- the key that signed it, retired as of rotated_at
  tree_size  BIGINT NOT NULL,                     -- entries in the log when it was decided (statement's size)
  rotated_at TEXT   NOT NULL,                     -- statement's time (ISO 8601)
  statement  TEXT   NOT NULL,                     -- the signed note, exactly as logged
  entry_seq  BIGINT NOT NULL                      -- the log entry that carries it
);
CREATE INDEX key_rotations_old ON key_rotations (old_key_id);

CREATE TRIGGER key_rotations_no_update BEFORE UPDATE ON key_rotations FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER key_rotations_no_delete BEFORE DELETE ON key_rotations FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER key_rotations_no_truncate BEFORE TRUNCATE ON key_rotations FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER signing_keys_no_update BEFORE UPDATE ON signing_keys FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER signing_keys_no_delete BEFORE DELETE ON signing_keys FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER signing_keys_no_truncate BEFORE TRUNCATE ON signing_keys FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
