import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  checkArchivedReceipts,
  parseArchiveName,
  receiptsFileName,
  receiptsNaming,
  type ArchivedReceipt,
} from "@/lib/core/archive.ts";
import { verifyBundle } from "@/lib/core/bundle/verify.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { matchesFilter, type EventFilter, type FilterableEntry } from "@/lib/core/event-filter.ts";
import { bundleEventLines, nodeStreamHash, withBundleFile } from "@/lib/node-bundle-file.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { assertCan, type Principal } from "../auth/principal.ts";
import { verifyContext } from "../bundles/verify-context.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";

// Read-only search of one archive file (docs/retention.md § Archive): the file is checked first
// with the offline verifier against this deployment's pinned keys and against the receipts that
// name it, then its events.jsonl is streamed line by line through the explorer's own filter
// (matchesFilter, the semantics the SQL has), keeping one page: memory stays flat whatever the
// month's size. Nothing is written; the entries link to the receipt that pruned them.

export type ArchiveSummary = { file: string; month: string; policy: string; bytes: number; receipts: boolean };
type ArchiveItem = { seq: number; leafHash: string; entry: Record<string, unknown>; receiptSeq: number | null };
export type ArchiveSearch = {
  file: string;
  month: string;
  policy: string;
  verified: { ok: boolean; at: string; detail: string };
  items: ArchiveItem[];
  /** Seq to pass as `after` for the next page; null at the end. */
  nextAfter: number | null;
};

function archiveDirOf(ledger: Ledger): string {
  const dir = ledger.config.archiveDir;
  if (!dir) throw new AppError("not_found", "No archive directory is configured (LEDGERLINE_ARCHIVE_DIR).");
  return dir;
}

export async function listArchiveFiles(ledger: Ledger, p: Principal | null): Promise<ArchiveSummary[]> {
  assertCan(p, "archive:read");
  const dir = archiveDirOf(ledger);
  if (!fs.existsSync(dir)) return [];
  const names = fs.readdirSync(dir);
  return names
    .filter((n) => parseArchiveName(n)?.receipts === false)
    .sort()
    .map((file) => {
      const a = parseArchiveName(file)!;
      const bytes = fs.statSync(path.join(dir, file)).size;
      return { file, month: a.month, policy: a.policy, bytes, receipts: names.includes(receiptsFileName(file)) };
    });
}

/** The bundle checks against this deployment's keys, then every receipt naming the file. */
async function check(
  ledger: Ledger,
  full: string,
  file: string,
): Promise<{ ok: boolean; detail: string; receipts: ArchivedReceipt[] }> {
  const keys = (await verifyContext(ledger)).keys.map((k) => k.verifierKey);
  for (const f of [full, path.join(path.dirname(full), receiptsFileName(file))]) {
    if (!fs.existsSync(f)) return { ok: false, detail: `${path.basename(f)} is missing`, receipts: [] };
    const r = await withBundleFile(f, (src) =>
      verifyBundle(src, { key: keys, hasher: nodeHasher, streamHash: nodeStreamHash }),
    );
    if (r.verdict !== "verified") return { ok: false, detail: `${path.basename(f)}: ${r.reason}`, receipts: [] };
  }
  const rfile = path.join(path.dirname(full), receiptsFileName(file));
  const receipts = await bundleEventLines(rfile, (l) => receiptsNaming(l, file));
  const sums = await bundleEventLines(full, (l) => checkArchivedReceipts(l, receipts, nodeStreamHash));
  const bad = sums.find((c) => !c.ok);
  if (bad || !receipts.length) return { ok: false, detail: bad?.detail ?? "no receipt names this file", receipts };
  return {
    ok: true,
    detail: `signed by this deployment's key; ${receipts.length === 1 ? "1 receipt matches" : `${receipts.length} receipts match`}`,
    receipts,
  };
}

/** One page of the archive's entries matching `filter`, after seq `after`, once the file verified. */
export async function searchArchive(
  ledger: Ledger,
  p: Principal | null,
  input: { file: string; filter: EventFilter; after?: number; limit?: number },
): Promise<ArchiveSearch> {
  assertCan(p, "archive:read");
  const name = parseArchiveName(input.file);
  const dir = archiveDirOf(ledger);
  // Only a plain archive name from the configured directory: no path reaches the file system.
  if (!name || name.receipts || !fs.existsSync(path.join(dir, input.file)))
    throw new AppError("not_found", `No archive file ${JSON.stringify(input.file)} in the archive directory.`);
  const full = path.join(dir, input.file);
  const at = new Date().toISOString();
  const verified = await check(ledger, full, input.file);
  const base = { file: input.file, month: name.month, policy: name.policy };
  if (!verified.ok)
    return { ...base, verified: { ok: false, at, detail: verified.detail }, items: [], nextAfter: null };
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 500);
  const items: ArchiveItem[] = [];
  let more = false;
  await bundleEventLines(full, (ls) => {
    for (const line of ls) {
      const { seq, leafHash, entry } = JSON.parse(line) as {
        seq: number;
        leafHash: string;
        entry: Record<string, unknown>;
      };
      if (seq <= (input.after ?? 0) || !matchesFilter(entry as unknown as FilterableEntry, input.filter, canonicalJson))
        continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      const receipt = verified.receipts.find((r) => r.ranges.some((x) => seq >= x.first && seq <= x.last));
      items.push({ seq, leafHash, entry, receiptSeq: receipt?.seq ?? null });
    }
  });
  return {
    ...base,
    verified: { ok: true, at, detail: verified.detail },
    items,
    nextAfter: more ? items.at(-1)!.seq : null,
  };
}
