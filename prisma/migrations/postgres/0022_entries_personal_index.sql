-- The entries with personal-field commitments (leaf v2, migration 0016), indexed apart. Every
-- full verification ends by checking that each commitment is opened by its kept value or
-- listed by an erasure receipt (lib/server/retention/verify-erased.ts); without this index
-- that query scanned the whole table even when no entry had a commitment: 270–550 ms of a
-- 7 s pass over 1 M entries (issue 16). Partial, so entries without commitments — most of
-- them — cost nothing to insert.

CREATE INDEX entries_personal ON entries (seq) WHERE personal IS NOT NULL;
