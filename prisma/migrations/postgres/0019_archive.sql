-- Archive before pruning (issue 18, docs/retention.md § Archive): a policy with archive = 1
-- writes the entries it is about to prune as monthly signed evidence bundles into
-- LEDGERLINE_ARCHIVE_DIR first, and its prune receipts name those files and their SHA-256.
-- Configuration like the rest of the policy row (each change a meta-audit entry): not append-only.
ALTER TABLE retention_policies ADD COLUMN archive INTEGER NOT NULL DEFAULT 0;
