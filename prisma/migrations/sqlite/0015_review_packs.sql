-- Scheduled review packs (issue 19, lib/server/reviews, docs/reviews.md): a saved view
-- run on a schedule (a cron expression in an IANA time zone; daily/weekly/monthly are
-- named cron expressions), each run a signed evidence bundle of the period with a
-- report inside. Not append-only: a schedule is paused and a pack row gets its bundle
-- and its sign-off. The evidence is the signed ZIP and the log entries: creating a
-- schedule, every run and every sign-off are meta-audit entries in the guarded log.

CREATE TABLE review_schedules (
  id          TEXT PRIMARY KEY,                  -- UUIDv7
  view_id     TEXT NOT NULL,                     -- the saved view it was made from
  view_name   TEXT NOT NULL,                     -- the view as scheduled: its name and explorer query,
  view_query  TEXT NOT NULL,                     -- kept so a renamed or deleted view changes no run
  name        TEXT NOT NULL,
  frequency   TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly', 'cron')),
  cron        TEXT NOT NULL,                     -- the expression in effect (named frequencies too)
  time_zone   TEXT NOT NULL,                     -- IANA name the periods are cut in
  template    TEXT,                              -- the template it was made from, if any
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);
CREATE INDEX review_schedules_view ON review_schedules (view_id);

CREATE TABLE review_packs (
  id             TEXT PRIMARY KEY,               -- UUIDv7
  schedule_id    TEXT NOT NULL,
  period_start   TEXT NOT NULL,                  -- ISO instant, inclusive
  period_end     TEXT NOT NULL,                  -- ISO instant, exclusive
  bundle_id      TEXT NOT NULL,                  -- the bundles row that holds the pack
  created_at     TEXT NOT NULL,
  created_by     TEXT NOT NULL,                  -- the scheduler, or who ran it by hand
  reviewed_by    TEXT,
  reviewed_at    TEXT,
  review_comment TEXT,
  review_seq     INTEGER,                        -- the log entry that records the sign-off
  UNIQUE (schedule_id, period_start)             -- one period is never run twice
);
CREATE INDEX review_packs_created ON review_packs (created_at);

-- What a bundle's build must add: the review report's context (JSON), null for a plain export.
ALTER TABLE bundles ADD COLUMN report TEXT;
