import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { archiveFileName, parseArchiveName, receiptsFileName } from "@/lib/core/archive.ts";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { Principal } from "../auth/principal.ts";
import { buildBundleIsolated } from "../bundles/build-process.ts";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Where } from "../events/filter-sql.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";
import { PRUNE_RECEIPT_ACTION, receiptOf } from "./receipt.ts";
import type { PolicyRow } from "./store.ts";

// Archive before pruning (docs/retention.md § Archive). For a policy with archive on, each
// calendar month (UTC, claimed time) that holds due entries is first written as an evidence
// bundle into the archive directory — built like any bundle, in the capped child process, so
// memory stays flat — moved there and fsynced (file and directory). Only then are that
// month's entries pruned, each receipt naming the file and its SHA-256. After the month, a
// second bundle holds those receipts with their inclusion proofs, so `ledgerline archive
// verify` ties the two together offline. A failure here throws before any receipt: nothing
// of that month is pruned.

export type ArchivedMonth = {
  month: string;
  /** The claimed-time span archived: [from, to), to = the next month or the policy's cutoff. */
  from: string;
  to: string;
  /** File name inside the archive directory, its SHA-256 (hex), the tree size its proofs are against. */
  file: string;
  sha256: string;
  treeSize: number;
  count: number;
};

function fail(pol: PolicyRow, what: string, why: string, dir: string | null): AppError {
  return new AppError(
    "unavailable",
    `Archiving before pruning failed for policy ${pol.name} (${what}): ${why}. Nothing of it was pruned. ` +
      (dir
        ? `Check that ${dir} exists, is writable by the server and has room, then prune again`
        : "Set LEDGERLINE_ARCHIVE_DIR to a directory the server can write, then prune again") +
      `, or turn archiving off for the policy (ledgerline retention set ${pol.name} --days ${pol.days} --no-archive).`,
  );
}

/** The months (YYYY-MM of the claimed time) holding entries `where` selects, oldest first. */
export async function dueMonths(db: SqlDriver, where: Where): Promise<string[]> {
  const rows = await db.all<{ m: string }>(
    `SELECT DISTINCT substr(ts, 1, 7) AS m FROM entries WHERE ${where.sql} ORDER BY 1`,
    where.params as never,
  );
  return rows.map((r) => r.m);
}

/** [from, to) of `month`, ending at the cutoff when it falls inside the month. */
function monthSpan(month: string, cutoff: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1)).toISOString();
  const next = new Date(Date.UTC(y, m, 1)).toISOString();
  return { from, to: next < cutoff ? next : cutoff };
}

/** The bundle's filter: the policy's own, narrowed to the month. A superset of what is due (holds, longer policies). */
function archiveFilter(filter: EventFilter, span: { from: string; to: string }): EventFilter {
  const from = filter.from && filter.from > span.from ? filter.from : span.from;
  const to = filter.to && filter.to < span.to ? filter.to : span.to;
  return { ...filter, from, to };
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Moves a built bundle to `dest` (copy across file systems), durable once this returns. */
function place(src: string, dest: string): void {
  const part = `${dest}.part`;
  try {
    fs.renameSync(src, part);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    fs.copyFileSync(src, part);
    fs.rmSync(src, { force: true });
  }
  fsyncPath(part);
  // Same name again means the same tree size: no receipt was appended since, so it names no older file.
  fs.renameSync(part, dest);
  fsyncPath(path.dirname(dest));
}

function archiveDir(ledger: Ledger, pol: PolicyRow): string {
  const dir = ledger.config.archiveDir;
  if (!dir) throw fail(pol, "no archive directory", "LEDGERLINE_ARCHIVE_DIR is not set", null);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw fail(pol, dir, (e as Error).message, dir);
  }
  return dir;
}

async function buildInto(
  ledger: Ledger,
  p: Principal,
  filter: EventFilter,
  name: (treeSize: number) => string,
  onProgress: (done: number, total: number) => void,
) {
  const built = await buildBundleIsolated(
    ledger,
    // Leaf form only: the kept personal values die with the pruned bodies (docs/retention.md § Archive).
    { id: crypto.randomUUID(), createdAt: nowIso(), createdBy: p.email, filter, disclose: false },
    onProgress,
  );
  try {
    const file = name(built.treeSize);
    place(built.file, path.join(ledger.config.archiveDir!, file));
    return { ...built, file };
  } finally {
    fs.rmSync(built.file, { force: true });
  }
}

/** Writes the archive of `month` for `pol`; throws (an AppError saying what to do) before anything is pruned. */
export async function archiveMonth(
  ledger: Ledger,
  p: Principal,
  pol: PolicyRow,
  month: string,
  cutoff: string,
  log: (line: string) => void,
): Promise<ArchivedMonth> {
  const dir = archiveDir(ledger, pol);
  const span = monthSpan(month, cutoff);
  try {
    const built = await buildInto(
      ledger,
      p,
      archiveFilter(pol.filter, span),
      (t) => archiveFileName(month, pol.name, t),
      (done, total) => {
        if (done === total || done % 50_000 === 0) log(`policy ${pol.name}: archiving ${month}: ${done}/${total}`);
      },
    );
    log(`policy ${pol.name}: archived ${month} (${built.count} entries) to ${built.file}`);
    return { month, ...span, file: built.file, sha256: built.sha256, treeSize: built.treeSize, count: built.count };
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw fail(pol, `month ${month} into ${dir}`, (e as Error).message, dir);
  }
}

/** Writes the receipts bundle of archive `file`: the prune receipts (with proofs) that name it. */
export async function writeReceiptsBundle(ledger: Ledger, p: Principal, file: string, seqs: number[]): Promise<string> {
  const filter: EventFilter = {
    action: PRUNE_RECEIPT_ACTION,
    seqFrom: Math.min(...seqs),
    seqTo: Math.max(...seqs),
  };
  const built = await buildInto(
    ledger,
    p,
    filter,
    () => receiptsFileName(file),
    () => {},
  );
  return built.file;
}

/**
 * A run interrupted after pruning but before the receipts bundle leaves an archive file
 * whose receipts are in the log only: writes those bundles now. An archive no receipt names
 * (interrupted before its receipt) is left as it is: nothing was pruned under it.
 */
export async function finishReceiptsBundles(ledger: Ledger, p: Principal, log: (l: string) => void): Promise<string[]> {
  const dir = ledger.config.archiveDir;
  // Not a directory (yet): the archive step itself says what is wrong when a policy needs it.
  if (!dir || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const names = new Set(fs.readdirSync(dir));
  const missing = [...names].filter((n) => parseArchiveName(n)?.receipts === false && !names.has(receiptsFileName(n)));
  if (!missing.length) return [];
  const naming = new Map<string, number[]>();
  for (const row of await ownEntriesWithAction(ledger.db, PRUNE_RECEIPT_ACTION)) {
    const r = receiptOf(row);
    if (r?.archiveFile) naming.set(r.archiveFile, [...(naming.get(r.archiveFile) ?? []), r.seq]);
  }
  const done: string[] = [];
  for (const name of missing) {
    const seqs = naming.get(name);
    if (!seqs) continue;
    done.push(await writeReceiptsBundle(ledger, p, name, seqs));
    log(`wrote the receipts bundle an interrupted run had left out: ${receiptsFileName(name)}`);
  }
  return done;
}
