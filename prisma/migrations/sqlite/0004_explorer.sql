-- The explorer's indexes (issue 4). Each ends in (ts, seq), the keyset of a page,
-- so "this requester, newest first, in this time range" walks one index range and
-- stops after a page; the histogram and top-N of a narrowed filter use the same
-- ranges. Pattern filters (exact or prefix) are index ranges on these columns.
-- SQLite compares TEXT by memcmp of UTF-8 (code point order), as the filter's
-- reference semantics (lib/core/event-filter.ts) do.

CREATE INDEX entries_requester_ts ON entries (requester_id, ts, seq);
CREATE INDEX entries_target_ts ON entries (target_id, ts, seq);
CREATE INDEX entries_service_ts ON entries (target_service, ts, seq) WHERE target_service IS NOT NULL;
