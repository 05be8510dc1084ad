import { canonicalJson } from "./canonical-json.ts";
import type { StreamHash } from "./bundle/bundle-files.ts";

// Archives written before pruning (docs/retention.md § Archive): per policy and calendar
// month (UTC, of the claimed time) one evidence bundle of the entries about to be pruned,
// `ledgerline-archive-<YYYY-MM>-<policy>-t<tree size>.zip`, and once pruned, one bundle of
// the prune receipts that name it, `….receipts.zip`. Both are ordinary evidence bundles
// (verify-bundle checks them); this module is what ties them together, offline: every
// receipt's "sha256 over the pruned canonical bytes" is recomputed from the archive's
// events.jsonl (each entry's JCS + LF, in seq order, the seqs of the receipt's ranges).

export const PRUNE_RECEIPT_ACTION = "ledgerline.prune-receipt/v1";

export type SeqRange = { first: number; last: number };

/** The ranges of a receipt, or null when the text is not `a-b,…` with 1 ≤ a ≤ b ascending. */
export function parseRanges(text: string): SeqRange[] | null {
  const out: SeqRange[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d{1,15})-(\d{1,15})$/.exec(part);
    if (!m) return null;
    const r = { first: Number(m[1]), last: Number(m[2]) };
    if (r.first < 1 || r.first > r.last || (out.length && r.first <= out.at(-1)!.last)) return null;
    out.push(r);
  }
  return out;
}

const ARCHIVE_NAME = /^ledgerline-archive-(\d{4}-\d{2})-([a-z0-9][a-z0-9._-]{0,62})-t(\d{1,15})(\.receipts)?\.zip$/;

type ArchiveName = { month: string; policy: string; treeSize: number; receipts: boolean };

export function archiveFileName(month: string, policy: string, treeSize: number): string {
  return `ledgerline-archive-${month}-${policy}-t${treeSize}.zip`;
}

/** The receipts bundle that belongs to archive file `name`. */
export function receiptsFileName(name: string): string {
  return name.replace(/\.zip$/, ".receipts.zip");
}

/** What an archive directory's file name says, or null for any other file. */
export function parseArchiveName(name: string): ArchiveName | null {
  const m = ARCHIVE_NAME.exec(name);
  if (!m) return null;
  return { month: m[1]!, policy: m[2]!, treeSize: Number(m[3]), receipts: m[4] !== undefined };
}

/** A prune receipt that names an archive file (its attributes `archiveFile`, `archiveSha256`). */
export type ArchivedReceipt = {
  seq: number;
  policy: string;
  ranges: SeqRange[];
  count: number;
  sha256: string;
  archiveFile: string;
  archiveSha256: string;
};

/** The receipt in one events.jsonl line of a receipts bundle, or null when the line holds none. */
function receiptOfLine(line: string): ArchivedReceipt | null {
  const { seq, entry } = JSON.parse(line) as { seq: number; entry: { action?: string; attributes?: unknown } };
  const a = (entry.attributes ?? {}) as Record<string, unknown>;
  if (entry.action !== PRUNE_RECEIPT_ACTION || a.receipt !== PRUNE_RECEIPT_ACTION) return null;
  const ranges = typeof a.ranges === "string" ? parseRanges(a.ranges) : null;
  if (!ranges || typeof a.archiveFile !== "string" || typeof a.sha256 !== "string") return null;
  return {
    seq,
    policy: String(a.policy),
    ranges,
    count: Number(a.count),
    sha256: a.sha256,
    archiveFile: a.archiveFile,
    archiveSha256: String(a.archiveSha256),
  };
}

/** The prune receipts among a receipts bundle's events.jsonl lines that name archive file `file`. */
export function receiptsNaming(lines: Iterable<string>, file: string): ArchivedReceipt[] {
  const out: ArchivedReceipt[] = [];
  for (const line of lines) {
    const r = receiptOfLine(line);
    if (r && r.archiveFile === file) out.push(r);
  }
  return out;
}

export type ReceiptCheck = { seq: number; ok: boolean; detail: string };

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Recomputes each receipt's hash from the archive's events.jsonl lines (seq order, as a
 * verified bundle has them): SHA-256 over JCS(entry) + LF of the entries whose seq lies in
 * the receipt's ranges. A receipt whose entries are missing from the archive, or whose bytes
 * differ, fails, naming its seq. Memory: one line and one hash state per receipt.
 */
export function checkArchivedReceipts(
  eventLines: Iterable<string>,
  receipts: ArchivedReceipt[],
  hash: StreamHash,
): ReceiptCheck[] {
  const state = receipts.map((r) => ({ r, h: hash(), n: 0 }));
  const enc = new TextEncoder();
  for (const line of eventLines) {
    const { seq, entry } = JSON.parse(line) as { seq: number; entry: unknown };
    for (const s of state) {
      if (!s.r.ranges.some((x) => seq >= x.first && seq <= x.last)) continue;
      s.h.update(enc.encode(`${canonicalJson(entry)}\n`));
      s.n++;
    }
  }
  return state.map(({ r, h, n }) => {
    const got = hex(h.digest());
    if (n !== r.count)
      return {
        seq: r.seq,
        ok: false,
        detail: `receipt seq ${r.seq} pruned ${r.count} entries; the archive holds ${n} of them`,
      };
    if (got !== r.sha256)
      return {
        seq: r.seq,
        ok: false,
        detail: `receipt seq ${r.seq}: the archive's ${n} entries hash to ${got}, the receipt says ${r.sha256}`,
      };
    return { seq: r.seq, ok: true, detail: `receipt seq ${r.seq} (policy ${r.policy}): ${n} entries, sha256 matches` };
  });
}
