-- Selective disclosure in evidence bundles (issue 18, docs/bundles.md § Personal fields): the
-- personal-field pointers the requester chose to withhold (a JSON list, sorted), read by the
-- build and written into the bundle's signed manifest; null when every field is disclosed.
ALTER TABLE bundles ADD COLUMN withheld TEXT;
