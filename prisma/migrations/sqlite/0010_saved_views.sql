-- Saved views (issue 15 item 7, lib/server/views): a named explorer filter — the
-- explorer's URL parameters, a relative range kept relative (`range=24h` means
-- "the last 24 h when opened") — and the table's visible columns. Private to
-- its owner or shared with every user. Not evidence and not append-only: a view
-- is renamed and deleted. Creating, sharing and deleting a shared view are
-- meta-audit entries in the guarded log (docs/trust-model.md says what an
-- insider who edits these rows can and cannot do).

CREATE TABLE saved_views (
  id         TEXT PRIMARY KEY,                  -- UUIDv7
  owner      TEXT NOT NULL,                     -- the owner's email (as bundles.created_by)
  name       TEXT NOT NULL,
  query      TEXT NOT NULL,                     -- canonical explorer URL parameters, no cursor
  columns    TEXT NOT NULL,                     -- JSON array of visible column ids
  shared     INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (owner, name)
);
CREATE INDEX saved_views_shared ON saved_views (shared, name);
