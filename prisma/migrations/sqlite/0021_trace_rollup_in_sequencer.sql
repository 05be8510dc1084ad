-- The trace rollups (0011 traces / trace_services, 0018 their committed requester ids) are
-- kept by the sequencer from now on, in the group commit's transaction, like entry_counts
-- (lib/server/ledger/group-plan.ts, sequencer.ts writeRollups): one upsert per trace and per
-- (trace, name) a group touches, instead of a row trigger that ran three upserts for every
-- entry. Measured (issue 16): 20,000 entries inserted in batches of 500 into this schema ran
-- at 9,630 rows/s with the row trigger and 61,179 rows/s without it; even an empty row trigger
-- cost two thirds of that. Same data, same transaction: a group that rolls back leaves no
-- rollup row. Entries written behind the sequencer's back (the bench loaders) rebuild the
-- rollups themselves (scripts/bench/rollups.ts), as they already did for entry_counts.

DROP TRIGGER entries_trace_rollup;
DROP TRIGGER entry_secrets_trace_rollup;
