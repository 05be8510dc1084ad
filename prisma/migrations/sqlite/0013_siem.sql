-- SIEM streaming destinations (issue 19; lib/server/siem/). One row per destination an
-- admin configured: where to send (kind, url, options), in which format, and the durable
-- cursor — the last seq the destination acknowledged. The streamer sends only entries a
-- signed checkpoint covers, in seq order, and moves the cursor after each acknowledged
-- batch: at-least-once, never a gap. Configuration changes are meta-audit entries; this
-- table is mutable on purpose (its cursor moves), the entries it streams are not.
CREATE TABLE siem_destinations (
  id            TEXT    PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  kind          TEXT    NOT NULL CHECK (kind IN ('splunk-hec', 'elastic-bulk', 'syslog-tcp', 'syslog-tls', 'https-ndjson')),
  format        TEXT    NOT NULL CHECK (format IN ('native', 'ocsf')),
  url           TEXT    NOT NULL,                  -- https://… for HTTP kinds, host:port for syslog
  options       TEXT    NOT NULL DEFAULT '{}',     -- JSON: index, sourcetype, host, pen, ca (PEM), batch
  secret        TEXT,                              -- HEC token / Authorization header value, never shown again
  cursor_seq    INTEGER NOT NULL DEFAULT 0,           -- every entry with seq <= cursor_seq was acknowledged
  state         TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'dead-letter')),
  attempts      INTEGER NOT NULL DEFAULT 0,        -- failed sends of the batch after the cursor, in a row
  delivered     INTEGER NOT NULL DEFAULT 0,           -- records acknowledged since creation (replays count again)
  last_error    TEXT,
  last_error_at TEXT,
  last_sent_at  TEXT,
  created_by    TEXT    NOT NULL,
  created_at    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL
);
