import "server-only";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { personalPointerProblem } from "@/lib/core/personal.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import type { SqlDriver } from "../db/driver.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";
import { deleteSecrets, seqsWithValue } from "../ledger/store/secrets.ts";
import { correlationIds, rebuildTraces } from "./apply.ts";
import { heldByAny } from "./due.ts";
import {
  ERASURE_RECEIPT_ACTION,
  erasureReceiptOf,
  foldRanges,
  formatRanges,
  type ErasureReceipt,
  type SeqRange,
} from "./receipt.ts";
import { listHolds, type HoldRow } from "./store.ts";

// Erasure (docs/retention.md § Erasure): find the entries whose kept value of a committed
// field equals the subject's (in entry_secrets — the leaf holds only commitments), leave
// out those a legal hold protects, append an erasure receipt (field, request reference,
// ranges, count — no personal data), then delete the values and salts along it. Leaf
// hashes never change. Receipt first: a crash after it leaves a receipt without its
// erased_ranges, and the next run finishes it before anything else.

export type EraseInput = { field?: unknown; value?: unknown; request?: unknown; dryRun?: unknown };
export type HeldEntries = { holdId: string; caseRef: string; seqs: number[] };
export type EraseReport = {
  dryRun: boolean;
  field: string;
  request: string;
  /** Entries whose value matched (held ones included). */
  matched: number;
  erased: number;
  receipts: number[];
  /** Receipts of an interrupted earlier run this run finished. */
  resumed: number[];
  /** Entries kept because a legal hold matches them, per hold. */
  held: HeldEntries[];
};

function checkInput(input: EraseInput): { field: string; value: unknown; request: string } {
  if (typeof input.field !== "string")
    throw new AppError("bad_request", "Give the field to erase as a JSON pointer, e.g. /requester/ip.");
  const problem = personalPointerProblem(input.field);
  if (problem) throw new AppError("bad_request", `field ${JSON.stringify(input.field)}: ${problem}.`);
  if (input.value === undefined || input.value === null)
    throw new AppError("bad_request", "Give the value to erase (the data subject's IP, user name, …).");
  const request = typeof input.request === "string" ? input.request.trim() : "";
  if (!request || request.length > 128 || /[\u0000-\u001f]/.test(request))
    throw new AppError(
      "bad_request",
      "Give the erasure request's reference (1–128 printable characters, e.g. the ticket id): the receipt records it instead of the value.",
    );
  return { field: input.field, value: input.value, request };
}

/** Erasure receipts appended whose ranges were never recorded (a crash right after the receipt): apply them now. */
async function resumeErasures(db: SqlDriver): Promise<number[]> {
  const done: number[] = [];
  for (const row of await ownEntriesWithAction(db, ERASURE_RECEIPT_ACTION)) {
    const r = erasureReceiptOf(row);
    if (!r) continue;
    const has = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM erased_ranges WHERE receipt_seq = ?", [r.seq]);
    if (Number(has?.n ?? 0) > 0) continue;
    await applyErasure(db, r.seq, r.field, r.parsed);
    done.push(r.seq);
  }
  return done;
}

/** Records the receipt's ranges and deletes the field's values and salts in them, in one transaction. */
export async function applyErasure(
  db: SqlDriver,
  receiptSeq: number,
  field: string,
  ranges: SeqRange[],
): Promise<number> {
  return db.writeTransaction(async (tx) => {
    await tx.insertMany(
      "erased_ranges",
      ["receipt_seq", "first_seq", "last_seq", "pointer"],
      ranges.map((r) => [receiptSeq, r.first, r.last, field]),
    );
    let n = 0;
    const ids = new Set<string>();
    for (const r of ranges) {
      if (field === "/requester/id") for (const c of await correlationIds(tx, r)) ids.add(c);
      n += await deleteSecrets(tx, field, r.first, r.last);
    }
    // The trace rollup lists each requester of a trace: rebuilt without the erased value.
    if (ids.size) await rebuildTraces(tx, [...ids]);
    return n;
  });
}

/** Which of `seqs` active holds protect, per hold. */
async function heldAmong(db: SqlDriver, seqs: number[], holds: HoldRow[]): Promise<HeldEntries[]> {
  const out: HeldEntries[] = [];
  for (const h of holds.filter((x) => !x.releasedAt)) {
    const w = heldByAny(db.dialect, [h])!;
    const hit: number[] = [];
    for (let i = 0; i < seqs.length; i += 500) {
      const chunk = seqs.slice(i, i + 500);
      const rows = await db.all<{ seq: number }>(
        `SELECT seq FROM entries WHERE seq IN (${chunk.map(() => "?").join(", ")}) AND ${w.sql} > 0 ORDER BY seq`,
        [...chunk, ...w.params],
      );
      hit.push(...rows.map((r) => Number(r.seq)));
    }
    if (hit.length) out.push({ holdId: h.id, caseRef: h.caseRef, seqs: hit });
  }
  return out;
}

/**
 * A dry run is a search by a data subject's value (it answers which entries hold it), so it
 * is logged like a search, first (fail closed) — with the field and request, never the value:
 * the meta-audit is v1 and nothing in it could be erased later.
 */
async function recordPreview(ledger: Ledger, p: Principal, v: { field: string; request: string }): Promise<void> {
  await recordAudit(ledger, actorOf(p), {
    action: "retention.erasure.preview",
    eventType: "read",
    outcome: "success",
    target: { id: `ledgerline://retention/erasures/${encodeURIComponent(v.request)}`, type: "erasure-receipt" },
    attributes: { field: v.field, request: v.request },
  });
}

/** Erases one value of one committed field from every entry not under a legal hold (see the module comment). */
export async function eraseSubject(ledger: Ledger, p: Principal | null, input: EraseInput): Promise<EraseReport> {
  assertCan(p, "retention:manage");
  const v = checkInput(input);
  const dryRun = input.dryRun === true;
  const report: EraseReport = {
    dryRun,
    field: v.field,
    request: v.request,
    matched: 0,
    erased: 0,
    receipts: [],
    resumed: [],
    held: [],
  };
  if (dryRun) await recordPreview(ledger, p, v);
  else report.resumed = await resumeErasures(ledger.db);
  const seqs = await seqsWithValue(ledger.db, v.field, canonicalJson(v.value));
  report.matched = seqs.length;
  report.held = await heldAmong(ledger.db, seqs, await listHolds(ledger.db));
  const held = new Set(report.held.flatMap((h) => h.seqs));
  let due = seqs.filter((s) => !held.has(s));
  if (dryRun) {
    report.erased = due.length;
    return report;
  }
  while (due.length) {
    const { ranges, used } = foldRanges(due);
    const receipt: ErasureReceipt = {
      receipt: ERASURE_RECEIPT_ACTION,
      field: v.field,
      request: v.request,
      ranges: formatRanges(ranges),
      count: used,
      approvedBy: p.email,
    };
    const seq = await recordAudit(ledger, actorOf(p), {
      action: ERASURE_RECEIPT_ACTION,
      eventType: "delete",
      outcome: "success",
      target: { id: `ledgerline://retention/erasures/${encodeURIComponent(v.request)}`, type: "erasure-receipt" },
      reason: `erased ${v.field} of ${used} entries (request ${v.request})`,
      attributes: receipt,
    });
    report.erased += await applyErasure(ledger.db, seq, v.field, ranges);
    report.receipts.push(seq);
    due = due.slice(used);
  }
  return report;
}
