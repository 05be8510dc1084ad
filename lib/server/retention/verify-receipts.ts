import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { checkErasedFields } from "./verify-erased.ts";
import { checkPrunedEntries } from "./verify-pruned.ts";

// What is gone from the store must be gone by a receipt in the (verified) log: pruned
// bodies by prune receipts (verify-pruned.ts), erased personal values by erasure
// receipts (verify-erased.ts). The integrity engine's full pass runs both after the scan.

export type ReceiptFinding = { firstBadSeq: number; reason: string };

export async function checkReceipts(db: SqlDriver): Promise<ReceiptFinding | null> {
  return (await checkPrunedEntries(db)) ?? (await checkErasedFields(db));
}
