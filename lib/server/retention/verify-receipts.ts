import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import type { Marks } from "../workers/leaf-task.ts";
import { checkErasedFields } from "./verify-erased.ts";
import { checkPrunedEntries } from "./verify-pruned.ts";

// What is gone from the store must be gone by a receipt in the (verified) log: pruned
// bodies by prune receipts (verify-pruned.ts), erased personal values by erasure
// receipts (verify-erased.ts). The integrity engine's full pass runs both after the scan.
//
// Both read the rows they check through partial indexes (entries_pruned_by,
// entries_personal): a table scan for each would cost more than the rest of a pass. An
// index is a copy the leaves do not bind, and one rewritten to leave rows out (its SQL
// kept, its contents narrowed) would hide them from these checks. So the scan counts
// the rows each check must visit (`seen`); when a check through an index visits a
// different number, both checks run again on the table itself, which decides. A
// prune that ran during the pass also changes the counts: it costs that second read,
// never a false finding.

export type ReceiptFinding = { firstBadSeq: number; reason: string };

async function checks(db: SqlDriver, o: { head?: number; unindexed?: boolean }) {
  const pruned = await checkPrunedEntries(db, o);
  if (pruned.finding) return { finding: pruned.finding, visited: null };
  const erased = await checkErasedFields(db, o);
  return { finding: erased.finding, visited: { pruned: pruned.visited, committed: erased.visited } };
}

/**
 * `seen`: what the scan of entries 1..`head` counted (pruned rows; kept rows with
 * commitments). Without it, the checks read through the indexes alone.
 */
export async function checkReceipts(db: SqlDriver, seen?: Marks & { head: number }): Promise<ReceiptFinding | null> {
  const indexed = await checks(db, { head: seen?.head });
  if (indexed.finding || !seen || !indexed.visited) return indexed.finding;
  if (indexed.visited.pruned === seen.pruned && indexed.visited.committed === seen.committed) return null;
  return (await checks(db, { head: seen.head, unindexed: true })).finding;
}
