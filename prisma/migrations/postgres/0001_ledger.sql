-- Ledgerline ledger, PostgreSQL dialect. Reviewed SQL, applied in order at start
-- by lib/server/db/migrate.ts in one transaction per file (sent as one simple-query
-- script, so $$ bodies survive); never edit an applied file, add a new one.

CREATE TABLE entries (
  seq            BIGINT  PRIMARY KEY,            -- 1-based, gapless; leaf index = seq - 1
  event_id       TEXT    NOT NULL,
  source         TEXT    NOT NULL,
  ts             TEXT    NOT NULL,               -- UTC YYYY-MM-DDTHH:mm:ss.sssZ (sorts as text)
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
  attributes     TEXT,
  leaf_hash      BYTEA   NOT NULL CHECK (octet_length(leaf_hash) = 32)
);
CREATE UNIQUE INDEX entries_source_event_id ON entries (source, event_id);
CREATE INDEX entries_ts_seq ON entries (ts, seq);
CREATE INDEX entries_correlation ON entries (correlation_id, ts, seq) WHERE correlation_id IS NOT NULL;

CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL,
  idx   BIGINT  NOT NULL,
  hash  BYTEA   NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
  tree_size  BIGINT PRIMARY KEY,
  root_hash  BYTEA  NOT NULL CHECK (octet_length(root_hash) = 32),
  note       TEXT   NOT NULL,
  key_id     TEXT   NOT NULL,
  created_at TEXT   NOT NULL
);

CREATE TABLE signing_keys (
  key_id       TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  public_key   BYTEA NOT NULL,
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

-- Append-only guards: row triggers refuse UPDATE/DELETE, a statement trigger
-- refuses TRUNCATE (which skips row triggers). Checked at every start by
-- lib/server/db/guards.ts (present, enabled, this exact function body).
CREATE FUNCTION ledgerline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION ledgerline_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_refuse_change();
