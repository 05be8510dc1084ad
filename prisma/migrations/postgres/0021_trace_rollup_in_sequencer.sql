-- The trace rollups (0011 traces / trace_services, 0018 their committed requester ids) are
-- kept by the sequencer from now on, in the group commit's transaction, like entry_counts
-- (lib/server/ledger/group-plan.ts, sequencer.ts writeRollups), the same on both stores:
-- one multi-row upsert per rollup and group instead of statement triggers reading the
-- transition tables. Same data, same transaction: a group that rolls back leaves no rollup
-- row. Entries written behind the sequencer's back (the bench loaders) rebuild the rollups
-- themselves (scripts/bench/rollups.ts), as they already did for entry_counts.

DROP TRIGGER entries_trace_rollup ON entries;
DROP TRIGGER entry_secrets_trace_rollup ON entry_secrets;
DROP FUNCTION ledgerline_trace_rollup();
DROP FUNCTION ledgerline_trace_rollup_secrets();
