import "server-only";
import crypto from "node:crypto";
import { PRUNE_RECEIPT_ACTION, parseRanges, type SeqRange } from "@/lib/core/archive.ts";
import { canonicalEntryFromRow, type EntryRow } from "../ledger/entry.ts";

// The prune receipt (docs/format.md, "Prune receipts"): a meta-audit entry
// appended *before* any body is cleared, so the log itself says what was pruned,
// under which policy, approved by whom — and commits to the pruned bytes.

// The action and the range syntax live in lib/core/archive.ts: the offline archive check reads them too.
export { PRUNE_RECEIPT_ACTION, parseRanges, type SeqRange };
/** The erasure receipt (docs/format.md § 8.6): which field of which seqs lost its value and salt. */
export const ERASURE_RECEIPT_ACTION = "ledgerline.erasure-receipt/v1";

export type ErasureReceipt = {
  receipt: typeof ERASURE_RECEIPT_ACTION;
  /** The JSON pointer erased. */
  field: string;
  /** The data subject's request reference (e.g. a ticket id) — never the value itself. */
  request: string;
  ranges: string;
  count: number;
  approvedBy: string;
};

/** The erasure receipt of a stored entry, or null when it is not a well-formed one. */
export function erasureReceiptOf(row: EntryRow): (ErasureReceipt & { seq: number; parsed: SeqRange[] }) | null {
  if (row.action !== ERASURE_RECEIPT_ACTION || row.attributes === null || row.pruned_by != null) return null;
  const a = JSON.parse(row.attributes) as Partial<ErasureReceipt>;
  if (a.receipt !== ERASURE_RECEIPT_ACTION || typeof a.ranges !== "string" || typeof a.field !== "string") return null;
  const parsed = parseRanges(a.ranges);
  if (!parsed) return null;
  return { ...(a as ErasureReceipt), seq: Number(row.seq), parsed };
}
/** Ranges per receipt: keeps the receipt's attributes well under the 8 KiB limit. */
export const MAX_RANGES_PER_RECEIPT = 300;

export type PruneReceipt = {
  receipt: typeof PRUNE_RECEIPT_ACTION;
  policy: string;
  days: number;
  /** Entries claimed before this instant were due. */
  cutoff: string;
  /** Inclusive seq ranges, `a-b,c-d` (a single seq is `a-a`). */
  ranges: string;
  count: number;
  /** SHA-256 (hex) over each pruned entry's canonical JSON followed by one LF, in seq order. */
  sha256: string;
  approvedBy: string;
  /** Archive before pruning: the archive file (a monthly evidence bundle) holding these entries, and its SHA-256. */
  archiveFile?: string;
  archiveSha256?: string;
};

/** Consecutive seqs folded into ranges; stops (returns the rows it covered) at `maxRanges`. */
export function foldRanges(seqs: number[], maxRanges = MAX_RANGES_PER_RECEIPT): { ranges: SeqRange[]; used: number } {
  const ranges: SeqRange[] = [];
  let used = 0;
  for (const s of seqs) {
    const last = ranges.at(-1);
    if (last && s === last.last + 1) last.last = s;
    else if (ranges.length === maxRanges) break;
    else ranges.push({ first: s, last: s });
    used++;
  }
  return { ranges, used };
}

export function formatRanges(ranges: SeqRange[]): string {
  return ranges.map((r) => `${r.first}-${r.last}`).join(",");
}

/** SHA-256 over the rows' canonical bytes (JCS + LF each) in the given (seq) order. */
export function prunedBytesHash(rows: EntryRow[]): string {
  const h = crypto.createHash("sha256");
  for (const r of rows) h.update(`${canonicalEntryFromRow(r)}\n`, "utf8");
  return h.digest("hex");
}

/** The receipt of a stored entry, or null when it is not a well-formed prune receipt. */
export function receiptOf(row: EntryRow): (PruneReceipt & { seq: number; parsed: SeqRange[] }) | null {
  if (row.action !== PRUNE_RECEIPT_ACTION || row.attributes === null || row.pruned_by != null) return null;
  const a = JSON.parse(row.attributes) as Partial<PruneReceipt>;
  if (a.receipt !== PRUNE_RECEIPT_ACTION || typeof a.ranges !== "string" || typeof a.policy !== "string") return null;
  const parsed = parseRanges(a.ranges);
  if (!parsed) return null;
  return { ...(a as PruneReceipt), seq: Number(row.seq), parsed };
}
