import "server-only";
import { assertCan, type Principal } from "../auth/principal.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";
import { ERASURE_RECEIPT_ACTION, erasureReceiptOf } from "./receipt.ts";

// Past erasures as the admin page lists them (docs/retention.md § Erasure): read from the
// receipts in the log itself, not from erased_ranges, so the list is what witnesses and
// monitors saw — a receipt an insider hid from erased_ranges still shows here.

export type ErasureRow = {
  /** The receipt entry's seq (its page shows the receipt). */
  seq: number;
  /** When the receipt was sequenced. */
  at: string;
  field: string;
  request: string;
  count: number;
  approvedBy: string;
};

/** Every well-formed erasure receipt, newest first (retention:manage). */
export async function listErasures(ledger: Ledger, p: Principal | null): Promise<ErasureRow[]> {
  assertCan(p, "retention:manage");
  const out: ErasureRow[] = [];
  for (const row of await ownEntriesWithAction(ledger.db, ERASURE_RECEIPT_ACTION)) {
    const r = erasureReceiptOf(row);
    if (!r) continue;
    out.push({
      seq: r.seq,
      at: row.received_at,
      field: r.field,
      request: r.request,
      count: Number(r.count),
      approvedBy: r.approvedBy,
    });
  }
  return out.reverse();
}
