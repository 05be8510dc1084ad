-- Evidence bundles (SPEC §5, lib/server/bundles): one row per requested export.
-- Deliberately NOT append-only-guarded: a bundle's row moves through queued →
-- building → ready | failed and its progress is updated while it builds. The
-- evidence itself is the signed ZIP (in <data dir>/bundles/), and every creation
-- and download is a meta-audit entry in the guarded log.

CREATE TABLE bundles (
  id             TEXT PRIMARY KEY,                  -- UUIDv7
  status         TEXT NOT NULL CHECK (status IN ('queued', 'building', 'ready', 'failed')),
  created_by     TEXT NOT NULL,                     -- the requester's email
  created_at     TEXT NOT NULL,
  filter         TEXT NOT NULL,                     -- the normalized EventFilter as JSON
  progress_done  BIGINT NOT NULL DEFAULT 0,
  progress_total BIGINT NOT NULL DEFAULT 0,
  entry_count    BIGINT,                           -- entries in the finished bundle
  tree_size      BIGINT,                           -- the checkpoint every proof is against
  size_bytes     BIGINT,                           -- the ZIP's size
  sha256         TEXT,                              -- the ZIP's SHA-256, hex
  error          TEXT,
  finished_at    TEXT
);
CREATE INDEX bundles_created ON bundles (created_at);
CREATE INDEX bundles_status ON bundles (status);
