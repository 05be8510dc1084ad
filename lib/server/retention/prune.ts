import "server-only";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import type { SqlDriver } from "../db/driver.ts";
import type { EntryRow } from "../ledger/entry.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { ownEntriesWithAction, prunedCount } from "../ledger/store/entries.ts";
import { cutoffFor, dueWhere, heldWhere } from "./due.ts";
import { applyReceipt } from "./apply.ts";
import { archiveMonth, dueMonths, finishReceiptsBundles, writeReceiptsBundle, type ArchivedMonth } from "./archive.ts";
import {
  PRUNE_RECEIPT_ACTION,
  foldRanges,
  formatRanges,
  prunedBytesHash,
  receiptOf,
  type PruneReceipt,
  type SeqRange,
} from "./receipt.ts";
import { listHolds, listPolicies, type PolicyRow } from "./store.ts";

// The prune job (docs/retention.md): for each policy, in batches, select the due
// entries, append a prune receipt committing to their bytes, then clear their
// bodies along the receipt's ranges. Receipt first: a crash after it leaves a
// receipt whose bodies are still there, and the next run finishes it first.
// A policy with archive on goes month by month and writes the month's archive
// before its first receipt (archive.ts): no archive, no receipt, nothing pruned.

export type PrunePolicyPlan = { policy: string; days: number | null; cutoff: string | null; due: number; held: number };
export type PruneReport = {
  dryRun: boolean;
  plan: PrunePolicyPlan[];
  /** Receipts appended by this run, and receipts of an earlier, interrupted run it finished. */
  receipts: number[];
  resumed: number[];
  /** Archive files written before pruning (policies with archive on), names inside the archive directory. */
  archived: string[];
  /** Time spent writing those archive files (part of `seconds`). */
  archiveSeconds: number;
  pruned: number;
  seconds: number;
};
export type PruneOptions = { dryRun?: boolean; batch?: number; now?: number; onProgress?: (line: string) => void };

async function count(db: SqlDriver, w: { sql: string; params: unknown[] } | null): Promise<number> {
  if (!w) return 0;
  const r = await db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM entries WHERE ${w.sql}`, w.params as never);
  return Number(r?.n ?? 0);
}

/** Per policy: how many entries are due now and how many of those a legal hold keeps. */
export async function planPrune(ledger: Ledger, p: Principal | null, now = Date.now()): Promise<PrunePolicyPlan[]> {
  assertCan(p, "retention:manage");
  const [policies, holds] = [await listPolicies(ledger.db), await listHolds(ledger.db)];
  const out: PrunePolicyPlan[] = [];
  for (const pol of policies) {
    const due = await count(ledger.db, dueWhere(ledger.db.dialect, pol, policies, holds, now));
    const held = await count(ledger.db, heldWhere(ledger.db.dialect, pol, policies, holds, now));
    out.push({
      policy: pol.name,
      days: pol.days,
      cutoff: pol.days === null ? null : cutoffFor(pol.days, now),
      due,
      held,
    });
  }
  return out;
}

/** Finishes receipts whose bodies a crashed run left in place; returns their seqs. */
async function resumeReceipts(ledger: Ledger, log: (l: string) => void): Promise<number[]> {
  const done: number[] = [];
  for (const row of await ownEntriesWithAction(ledger.db, PRUNE_RECEIPT_ACTION)) {
    const r = receiptOf(row);
    if (!r || (await prunedCount(ledger.db, r.seq)) === r.count) continue;
    const cleared = await applyReceipt(ledger.db, r.seq, r.parsed);
    if (cleared > 0) {
      done.push(r.seq);
      log(`finished receipt seq ${r.seq} (policy ${r.policy}): ${cleared} bodies an interrupted run had left`);
    }
  }
  return done;
}

/** Appends the receipt for (a prefix of) `rows`, which are due under `pol`; clears nothing yet. */
export async function appendPruneReceipt(
  ledger: Ledger,
  p: Principal,
  pol: PolicyRow,
  rows: EntryRow[],
  cutoff: string,
  archive: ArchivedMonth | null = null,
): Promise<{ seq: number; ranges: SeqRange[]; count: number }> {
  const { ranges, used } = foldRanges(rows.map((r) => Number(r.seq)));
  const covered = rows.slice(0, used);
  const receipt: PruneReceipt = {
    receipt: PRUNE_RECEIPT_ACTION,
    policy: pol.name,
    days: pol.days!,
    cutoff,
    ranges: formatRanges(ranges),
    count: covered.length,
    sha256: prunedBytesHash(covered),
    approvedBy: p.email,
    ...(archive ? { archiveFile: archive.file, archiveSha256: archive.sha256 } : {}),
  };
  const seq = await recordAudit(ledger, actorOf(p), {
    action: PRUNE_RECEIPT_ACTION,
    eventType: "delete",
    outcome: "success",
    target: { id: `ledgerline://retention/policies/${pol.name}`, type: "prune-receipt" },
    reason: `pruned ${covered.length} entries claimed before ${cutoff} (policy ${pol.name}, ${pol.days} days)`,
    attributes: receipt,
  });
  return { seq, ranges, count: covered.length };
}

type Batches = {
  ledger: Ledger;
  p: Principal;
  pol: PolicyRow;
  now: number;
  batch: number;
  report: PruneReport;
  log: (l: string) => void;
  total: number;
};

/**
 * Prunes `pol`'s due entries in batches, each under its own receipt. With `archive`, only the
 * entries of its month that existed when it was built (seq ≤ its tree size): every one of them
 * is in the archive file the receipt names. Returns the receipts appended.
 */
async function pruneBatches(b: Batches, archive: ArchivedMonth | null): Promise<number[]> {
  const { ledger, pol, now } = b;
  const receipts: number[] = [];
  let after = 0;
  for (;;) {
    // Re-read each batch: a hold placed meanwhile applies from the next batch on.
    const where = dueWhere(ledger.db.dialect, pol, await listPolicies(ledger.db), await listHolds(ledger.db), now);
    if (!where) break;
    const within = archive ? " AND ts >= ? AND ts < ? AND seq <= ?" : "";
    const extra = archive ? [archive.from, archive.to, archive.treeSize] : [];
    // Keyset on seq: each batch starts after the last, never rescanning what was just pruned.
    const rows = await ledger.db.all<EntryRow>(
      `SELECT * FROM entries WHERE seq > ? AND ${where.sql}${within} ORDER BY seq LIMIT ${Math.max(1, Math.floor(b.batch))}`,
      [after, ...where.params, ...extra],
    );
    if (!rows.length) break;
    const r = await appendPruneReceipt(ledger, b.p, pol, rows, cutoffFor(pol.days!, now), archive);
    await applyReceipt(ledger.db, r.seq, r.ranges);
    after = Math.max(...r.ranges.map((x) => x.last));
    receipts.push(r.seq);
    b.report.receipts.push(r.seq);
    b.report.pruned += r.count;
    b.log(`policy ${pol.name}: pruned ${b.report.pruned}/${Math.max(b.report.pruned, b.total)} (receipt seq ${r.seq})`);
  }
  return receipts;
}

/** Archive on: month by month, archive first, then prune that month, then bundle its receipts. */
async function pruneArchived(b: Batches): Promise<void> {
  const where = dueWhere(
    b.ledger.db.dialect,
    b.pol,
    await listPolicies(b.ledger.db),
    await listHolds(b.ledger.db),
    b.now,
  );
  if (!where) return;
  for (const month of await dueMonths(b.ledger.db, where)) {
    const t = Date.now();
    const archive = await archiveMonth(b.ledger, b.p, b.pol, month, cutoffFor(b.pol.days!, b.now), b.log);
    b.report.archiveSeconds += (Date.now() - t) / 1000;
    b.report.archived.push(archive.file);
    const receipts = await pruneBatches(b, archive);
    if (receipts.length) await writeReceiptsBundle(b.ledger, b.p, archive.file, receipts);
  }
}

/** Runs (or, with dryRun, only plans) the prune; see the module comment for the order of writes. */
export async function runPrune(ledger: Ledger, p: Principal | null, opts: PruneOptions = {}): Promise<PruneReport> {
  assertCan(p, "retention:manage");
  const started = Date.now();
  const now = opts.now ?? started;
  const log = opts.onProgress ?? (() => {});
  const plan = await planPrune(ledger, p, now);
  const report: PruneReport = {
    dryRun: !!opts.dryRun,
    plan,
    receipts: [],
    resumed: [],
    archived: [],
    archiveSeconds: 0,
    pruned: 0,
    seconds: 0,
  };
  if (opts.dryRun) return report;
  report.resumed = await resumeReceipts(ledger, log);
  await finishReceiptsBundles(ledger, p, log);
  for (const pol of await listPolicies(ledger.db)) {
    const total = plan.find((x) => x.policy === pol.name)?.due ?? 0;
    if (pol.days === null) continue;
    const b: Batches = { ledger, p, pol, now, batch: opts.batch ?? 5000, report, log, total: report.pruned + total };
    if (pol.archive) await pruneArchived(b);
    else await pruneBatches(b, null);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
