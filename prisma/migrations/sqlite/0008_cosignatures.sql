-- Witness cosignatures of the log's checkpoints (issue 14; lib/server/cosigning/). Each
-- row is one cosignature/v1 line (c2sp.org/tlog-cosignature) a witness returned for the
-- checkpoint of size tree_size, verified against that witness's key before it was stored,
-- and kept exactly as sent: GET /api/v1/checkpoint and /tlog/checkpoint append these lines
-- to the checkpoint note. Append-only like the checkpoints they sign (lib/server/db/guards.ts):
-- a cosignature is the witness's evidence, not the operator's to edit. No foreign key on
-- tree_size: it would make TRUNCATE checkpoints fail on the key instead of on its guard.
CREATE TABLE cosignatures (
  tree_size   INTEGER NOT NULL,                    -- the checkpoint cosigned (checkpoints.tree_size)
  witness     TEXT    NOT NULL,                    -- the cosigner's key name (the line's name)
  key_id      TEXT    NOT NULL CHECK (length(key_id) = 8), -- its key id, 8 lowercase hex digits
  cosigned_at INTEGER NOT NULL,                    -- the witness's own timestamp (POSIX seconds, signed)
  line        TEXT    NOT NULL,                    -- the signature line as sent, without its newline
  received_at TEXT    NOT NULL,                    -- when this server stored it (ISO 8601)
  PRIMARY KEY (tree_size, witness, key_id)
);
CREATE INDEX cosignatures_witness ON cosignatures (witness, key_id, tree_size);

CREATE TRIGGER cosignatures_no_update BEFORE UPDATE ON cosignatures
BEGIN SELECT RAISE(ABORT, 'ledgerline: cosignatures are append-only (UPDATE refused)'); END;
CREATE TRIGGER cosignatures_no_delete BEFORE DELETE ON cosignatures
BEGIN SELECT RAISE(ABORT, 'ledgerline: cosignatures are append-only (DELETE refused)'); END;
