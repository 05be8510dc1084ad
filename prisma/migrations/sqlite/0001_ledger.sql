-- Ledgerline ledger, SQLite dialect. Reviewed SQL, applied in order at start by
-- lib/server/db/migrate.ts; never edit an applied file (its checksum is recorded),
-- add a new one.

CREATE TABLE entries (
  seq            INTEGER PRIMARY KEY,            -- 1-based, gapless; leaf index = seq - 1
  event_id       TEXT    NOT NULL,               -- client id or server-assigned UUIDv7
  source         TEXT    NOT NULL,               -- identity bound to the ingest key
  ts             TEXT    NOT NULL,               -- claimed timestamp, UTC, ms precision
  received_at    TEXT    NOT NULL,
  event_type     TEXT    NOT NULL,
  requester_id   TEXT    NOT NULL,
  requester_type TEXT    NOT NULL,
  requester_ip   TEXT,
  target_id      TEXT    NOT NULL,
  target_service TEXT,
  target_type    TEXT,
  action         TEXT,
  outcome        TEXT    NOT NULL,
  correlation_id TEXT,
  reason         TEXT,
  attributes     TEXT,                           -- RFC 8785 JSON of the attributes object
  leaf_hash      BLOB    NOT NULL CHECK (length(leaf_hash) = 32)
);
CREATE UNIQUE INDEX entries_source_event_id ON entries (source, event_id);
CREATE INDEX entries_ts_seq ON entries (ts, seq);
CREATE INDEX entries_correlation ON entries (correlation_id, ts, seq) WHERE correlation_id IS NOT NULL;

CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root_hash  BLOB NOT NULL CHECK (length(root_hash) = 32),
  note       TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE signing_keys (
  key_id       TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  public_key   BLOB NOT NULL,
  verifier_key TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  retired_at   TEXT
);

CREATE TABLE ingest_keys (
  id           TEXT PRIMARY KEY,
  source       TEXT NOT NULL,
  secret_hash  TEXT NOT NULL,
  description  TEXT,
  created_at   TEXT NOT NULL,
  revoked_at   TEXT,
  last_used_at TEXT
);
CREATE INDEX ingest_keys_source ON ingest_keys (source);

-- Append-only guards. The names and bodies are checked at every start
-- (lib/server/db/guards.ts); the server refuses to run without them.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledgerline: entries are append-only (UPDATE refused)'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledgerline: entries are append-only (DELETE refused)'); END;
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledgerline: merkle_nodes are append-only (UPDATE refused)'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN SELECT RAISE(ABORT, 'ledgerline: merkle_nodes are append-only (DELETE refused)'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'ledgerline: checkpoints are append-only (UPDATE refused)'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'ledgerline: checkpoints are append-only (DELETE refused)'); END;
