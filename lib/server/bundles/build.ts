import "server-only";
import fs from "node:fs";
import path from "node:path";
import { canonicalJson, hashLeaf, openNote, parseCheckpoint, type EventFilter } from "@/lib/core/index.ts";
import { BUNDLE_FILES, BUNDLE_FILE_ORDER, csvHeader, csvLine, eventLine, proofLine } from "@/lib/core/bundle/format.ts";
import { filterWhere } from "../events/filter-sql.ts";
import { openBulkReader } from "../db/driver.ts";
import { queryEvents } from "../events/query.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { committedSize, latestCheckpoint } from "../transparency/proofs.ts";
import { BundleBuildError } from "./build-error.ts";
import { Discloser } from "./disclose.ts";
import { signedSmallFiles } from "./small-files.ts";
import { ProofBatch } from "./proof-hasher.ts";
import { Spool, type SpoolResult } from "./spool.ts";
import { witnessedCheckpoint } from "./witnessed.ts";
import { memoryMember, writeZip, type ZipMember } from "./zip-writer.ts";
import { reviewReportFiles, type ReviewReportSpec } from "../reviews/report.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// Builds one evidence bundle (SPEC §5) on disk, never holding it in memory: the
// entries are read in keyset pages of PAGE in seq order, each page's lines go to
// deflating spools (events.jsonl, proofs.jsonl, events.csv, disclosures.jsonl) that
// hash as they write, and the ZIP is then assembled by copying those spools after the
// small files. Every proof is against one checkpoint, signed first if needed so
// that it covers every entry in the log.

export const PAGE = 1000;
/** Past this a bundle is refused before it is built (ZIP without ZIP64, browser verification). */
export const MAX_BUNDLE_ENTRIES = 1_000_000;

export { BundleBuildError } from "./build-error.ts";

export type BuildRequest = {
  id: string;
  createdAt: string;
  createdBy: string;
  filter: EventFilter;
  /** A scheduled review pack: its report goes into the bundle (docs/reviews.md). */
  report?: ReviewReportSpec | null;
  /** Personal-field pointers not to disclose (docs/bundles.md § Personal fields); the manifest names them. */
  withheld?: string[];
  /**
   * false: no disclosures.jsonl at all — every personal field reads as withheld. Archives before
   * pruning (retention/archive.ts): pruning deletes the kept values, and an archive file must not
   * become a copy of them that no erasure can reach.
   */
  disclose?: boolean;
};
export type BuildResult = { file: string; size: number; sha256: string; count: number; treeSize: number };

export function bundlesDir(dataDir: string): string {
  return path.join(dataDir, "bundles");
}

export function bundleFile(dataDir: string, id: string): string {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error("not a bundle id");
  return path.join(bundlesDir(dataDir), `${id}.zip`);
}

/** The checkpoint every proof will be against: the latest, after signing one if the log outgrew it. */
async function coveringCheckpoint(ledger: Ledger) {
  const key = await ledger.signingKey();
  const size = await committedSize(ledger);
  if (size === 0) throw new BundleBuildError("the log is empty: there is nothing to export yet");
  let cp = await latestCheckpoint(ledger);
  if (!cp || cp.treeSize < size || cp.keyId !== key.keyIdHex) {
    await ledger.sequencer.checkpoint();
    cp = await latestCheckpoint(ledger);
  }
  if (!cp || cp.treeSize < size) {
    throw new BundleBuildError(
      "no signed checkpoint covers the newest entries (signing failed; see the server log), so not every entry could have a proof; try again shortly",
    );
  }
  if (cp.keyId !== key.keyIdHex) {
    throw new BundleBuildError(
      `the latest checkpoint is signed by key ${cp.keyId}, not the current key ${key.keyIdHex} (was the key just rotated?); create the bundle again in a minute`,
    );
  }
  const opened = openNote(cp.note, [{ name: key.name, publicKey: key.publicKey }]);
  if (!opened.ok)
    throw new BundleBuildError(
      `the latest checkpoint does not verify with the current key (${opened.reason}); run a full verification on /integrity`,
    );
  const parsed = parseCheckpoint(opened.text);
  return { key, note: cp.note, treeSize: parsed.size, rootHash: parsed.rootHash };
}

/**
 * Builds bundle `req.id` into <data dir>/bundles/<id>.zip and returns its size and
 * SHA-256. Progress goes to `onProgress(done, total)` once per page. Throws
 * BundleBuildError (a message for the user) or any store/disk error.
 */
export async function buildBundle(
  ledger: Ledger,
  req: BuildRequest,
  onProgress: (done: number, total: number) => Promise<void> | void = () => {},
): Promise<BuildResult> {
  const cp = await coveringCheckpoint(ledger);
  // Read through a connection of its own (small page cache): the export is one long scan.
  const reader = openBulkReader(ledger.db, ledger.config.database);
  try {
    return await buildFrom({ ...ledger, db: reader }, cp, req, onProgress);
  } finally {
    await reader.close();
  }
}

type Covering = Awaited<ReturnType<typeof coveringCheckpoint>>;
type Spools = { events: Spool; proofs: Spool; csv: Spool; disclosures: Spool };

async function buildFrom(
  ledger: Ledger,
  cp: Covering,
  req: BuildRequest,
  onProgress: (done: number, total: number) => Promise<void> | void,
): Promise<BuildResult> {
  const T = cp.treeSize;
  // The manifest records the filter as asked; the query also stops at the checkpoint.
  const queryFilter: EventFilter = { ...req.filter, seqTo: Math.min(req.filter.seqTo ?? T, T) };
  const total = await countWithin(ledger, queryFilter);
  await onProgress(0, total);

  const dir = bundlesDir(ledger.config.dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = fs.mkdtempSync(path.join(dir, `.build-${req.id}-`));
  const spools: Spools = {
    events: new Spool(path.join(tmp, BUNDLE_FILES.events)),
    proofs: new Spool(path.join(tmp, BUNDLE_FILES.proofs)),
    csv: new Spool(path.join(tmp, BUNDLE_FILES.csv)),
    disclosures: new Spool(path.join(tmp, BUNDLE_FILES.disclosures)),
  };
  try {
    const discloser = req.disclose === false ? null : new Discloser(ledger.db, new Set(req.withheld ?? []));
    const span = await spoolEntries(ledger, queryFilter, T, { spools, discloser }, (done) => onProgress(done, total));
    if (span.count !== total) throw new Error(`read ${span.count} entries but counted ${total}`);
    const [events, proofs, csv, disclosures] = await Promise.all([
      spools.events.finish(),
      spools.proofs.finish(),
      spools.csv.finish(),
      spools.disclosures.finish(),
    ]);
    const spooled: Record<string, SpoolResult> = {
      [BUNDLE_FILES.events]: events,
      [BUNDLE_FILES.proofs]: proofs,
      [BUNDLE_FILES.csv]: csv,
      // Only a bundle holding v2 entries carries it: one of v1 entries stays byte-identical to before.
      ...(discloser?.lines ? { [BUNDLE_FILES.disclosures]: disclosures } : {}),
    };
    // Read last, so the witnesses had the whole build to cosign the checkpoint.
    const witnessed = await witnessedCheckpoint(ledger.db, cp, ledger.config.witnesses);
    const built = { ...cp, ...witnessed, span, id: req.id, createdAt: req.createdAt, origin: ledger.config.origin };
    const report = req.report ? await reviewReportFiles(ledger.db, req.report, queryFilter, built) : null;
    const small = signedSmallFiles(ledger, { ...cp, ...witnessed }, req, span, spooled, report);
    const order = [
      ...BUNDLE_FILE_ORDER.slice(0, -2),
      ...(discloser?.lines ? [BUNDLE_FILES.disclosures] : []),
      ...(report?.files.keys() ?? []),
      ...BUNDLE_FILE_ORDER.slice(-2),
    ];
    const members: ZipMember[] = order.map((name) => {
      const s = spooled[name];
      return s
        ? { name, crc: s.crc, size: s.size, csize: s.csize, deflated: { file: s.file } }
        : memoryMember(name, small.get(name)!);
    });
    const file = bundleFile(ledger.config.dataDir, req.id);
    const part = path.join(tmp, "bundle.zip");
    const zip = await writeZip(part, members, new Date(req.createdAt));
    fs.renameSync(part, file);
    return { file, size: zip.bytes, sha256: zip.sha256Hex, count: span.count, treeSize: T };
  } finally {
    for (const s of Object.values(spools)) s.abort();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** How many entries the bundle will hold; more than MAX_BUNDLE_ENTRIES is refused before anything is written. */
async function countWithin(ledger: Ledger, filter: EventFilter): Promise<number> {
  const where = filterWhere(filter, ledger.db.dialect);
  const counted = await ledger.db.get<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM entries WHERE ${where.sql}`,
    where.params,
  );
  const total = Number(counted?.n ?? 0);
  if (total > MAX_BUNDLE_ENTRIES) {
    throw new BundleBuildError(
      `the filter matches ${total.toLocaleString("en-US")} entries; a bundle holds at most ${MAX_BUNDLE_ENTRIES.toLocaleString("en-US")}: narrow it (a shorter time range, one service) and create several bundles`,
    );
  }
  return total;
}

type Span = { count: number; firstSeq: number; lastSeq: number };

/** Pages through the matching entries in seq order, writing each one's line, proof and CSV row. */
async function spoolEntries(
  ledger: Ledger,
  filter: EventFilter,
  treeSize: number,
  { spools, discloser }: { spools: Spools; discloser: Discloser | null },
  onProgress: (done: number) => Promise<void> | void,
): Promise<Span> {
  await spools.csv.write(csvHeader());
  const prover = new ProofBatch(ledger.db, treeSize);
  const span: Span = { count: 0, firstSeq: 0, lastSeq: 0 };
  let cursor: string | undefined;
  do {
    // Leaf form: a v2 entry goes with its commitments, so it hashes to its leaf; its values and
    // salts (or why not) go to disclosures.jsonl (docs/format.md § 5.1).
    const page = await queryEvents(ledger, filter, { sort: "seq", limit: PAGE, cursor, leafForm: true });
    const paths = await prover.paths(page.items.map((item) => item.seq - 1));
    await discloser?.load(page.items);
    for (const [i, item] of page.items.entries()) {
      const { leafHash, ...entry } = item;
      const jcs = canonicalJson(entry);
      // The bundle must prove what the log committed to: a row that no longer
      // hashes to its stored leaf is tampering, not something to export.
      if (Buffer.from(hashLeaf(Buffer.from(jcs, "utf8"), nodeHasher)).toString("base64") !== leafHash) {
        throw new BundleBuildError(
          `entry seq ${entry.seq} no longer matches its leaf hash: the store may have been tampered with; run a full verification on /integrity`,
        );
      }
      await spools.events.write(eventLine(entry.seq, leafHash, jcs));
      await spools.proofs.write(proofLine(entry.seq, paths[i]!));
      await spools.csv.write(csvLine(entry, leafHash));
      const disclosed = discloser ? await discloser.line(entry) : null;
      if (disclosed) await spools.disclosures.write(disclosed);
      if (span.firstSeq === 0) span.firstSeq = entry.seq;
      span.lastSeq = entry.seq;
    }
    span.count += page.items.length;
    await onProgress(span.count);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return span;
}
