-- Integrity center: the history of verifier runs (lib/server/integrity).
-- Deliberately NOT append-only-guarded: a run's row is updated while it runs
-- (status, progress). The code never deletes rows. The verifier's trust anchor
-- (the last verified tree) lives outside the database, in
-- <data dir>/verifier-state.json, so that rewriting this table proves nothing.

CREATE TABLE integrity_runs (
  id                  TEXT PRIMARY KEY,                 -- UUIDv7
  mode                TEXT NOT NULL CHECK (mode IN ('incremental', 'full', 'sample')),
  status              TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  started_at          TEXT NOT NULL,
  finished_at         TEXT,
  tree_size           INTEGER NOT NULL DEFAULT 0,     -- entries in the log when the run started
  verified_through    INTEGER NOT NULL DEFAULT 0,     -- last seq proven intact
  entries_checked     INTEGER NOT NULL DEFAULT 0,
  checkpoints_checked INTEGER NOT NULL DEFAULT 0,
  first_bad_seq       INTEGER,
  reason              TEXT,
  kind                TEXT,                             -- modified, gap, reordered, … (IntegrityKind)
  progress_done       INTEGER NOT NULL DEFAULT 0,
  progress_total      INTEGER NOT NULL DEFAULT 0,
  requested_by        TEXT                              -- who asked for an on-demand run; NULL for the scheduler
);
CREATE INDEX integrity_runs_started ON integrity_runs (started_at);
