import "server-only";
import { canonicalJson } from "@/lib/core/index.ts";
import { recordAudit, type Actor, type AuditRecord } from "./audit-trail.ts";
import type { Ledger } from "../ledger/ledger.ts";

// Reads are meta-audited (who searched what, who viewed which entry), and a
// script repeating one search must not grow the permanent log by an entry per
// request. So the FIRST of identical records (same actor, IP and record) is
// appended at once, as before — the read still fails closed when it cannot be
// recorded — and says in `repeatWindowSeconds` that repeats within that window
// are summarised. The repeats are counted in memory and appended as ONE entry
// when the window ends: action `<action>.repeated`, the same record, and
// `{repeatOf: <seq of the first>, repeats, firstRepeatAt, lastRepeatAt}`. Both
// entries are in the tamper-evident log like any other, so the count is as
// provable as the first search (inclusion proof of each, same checkpoint rules).
//
// What is not provable: repeats counted by a process that dies (SIGKILL, crash)
// before its window ends are lost — at most one window of repeats of a read
// whose first occurrence IS recorded. A first entry without a `.repeated`
// successor means "no repeats, or repeats lost to a crash", never "a different
// read happened unrecorded": a read that differs in anything is recorded at once.

type Window = {
  recorded: Promise<number>;
  ledger: Ledger;
  actor: Actor;
  record: AuditRecord;
  windowMs: number;
  repeats: number;
  firstRepeatAt?: string;
  lastRepeatAt?: string;
};

/** Open windows past this many (per ledger) are not opened: every read is then recorded on its own. */
const MAX_OPEN_WINDOWS = 10_000;

/** This process's open repeat windows for one ledger (kept on the Runtime: pages and route handlers share it). */
export type AuditRepeats = { windows: Map<string, Window> };

export function createAuditRepeats(): AuditRepeats {
  return { windows: new Map() };
}

/** The part of a Runtime repeat-summarised reads need. */
export type AuditRuntime = Ledger & { auditRepeats: AuditRepeats };

function windowsOf(rt: AuditRuntime): Map<string, Window> {
  return rt.auditRepeats.windows;
}

/**
 * Appends `record` unless an identical one by the same actor was appended less
 * than `windowMs` ago, in which case it is counted into that one's summary.
 * Resolves once the read may be answered: when the first record is committed
 * (and rejects, like recordAudit, when it cannot be).
 */
export async function recordRepeatableAudit(
  ledger: AuditRuntime,
  actor: Actor,
  record: AuditRecord,
  windowMs = ledger.config.readAuditWindowMs,
): Promise<void> {
  if (windowMs <= 0) {
    await recordAudit(ledger, actor, record);
    return;
  }
  const windows = windowsOf(ledger);
  // Canonical, so a filter whose parameters came in another order is the same read.
  const key = canonicalJson(JSON.parse(JSON.stringify({ actor, record })));
  const open = windows.get(key);
  if (open) {
    // Answered only once the first is committed: if it could not be, neither is this one.
    await open.recorded;
    const now = new Date().toISOString();
    open.repeats++;
    open.firstRepeatAt ??= now;
    open.lastRepeatAt = now;
    return;
  }
  if (windows.size >= MAX_OPEN_WINDOWS) {
    await recordAudit(ledger, actor, record);
    return;
  }
  const first: AuditRecord = {
    ...record,
    attributes: { ...(record.attributes ?? {}), repeatWindowSeconds: Math.round(windowMs / 1000) },
  };
  const w: Window = { recorded: recordAudit(ledger, actor, first), ledger, actor, record, windowMs, repeats: 0 };
  windows.set(key, w);
  try {
    await w.recorded;
  } catch (e) {
    windows.delete(key);
    throw e;
  }
  setTimeout(() => void closeWindow(windows, key, w), windowMs).unref();
}

async function closeWindow(windows: Map<string, Window>, key: string, w: Window, attempt = 1): Promise<void> {
  if (windows.get(key) === w) windows.delete(key);
  if (w.repeats === 0) return;
  const firstSeq = await w.recorded;
  try {
    await recordAudit(w.ledger, w.actor, {
      ...w.record,
      action: `${w.record.action}.repeated`,
      attributes: {
        ...(w.record.attributes ?? {}),
        repeatOf: firstSeq,
        repeats: w.repeats,
        firstRepeatAt: w.firstRepeatAt!,
        lastRepeatAt: w.lastRepeatAt!,
        repeatWindowSeconds: Math.round(w.windowMs / 1000),
      },
    });
  } catch (e) {
    if (attempt < 5) {
      setTimeout(() => void closeWindow(windows, key, w, attempt + 1), 5_000 * attempt).unref();
      return;
    }
    console.error(
      `[ledgerline] could not record ${w.repeats} repeat(s) of meta-audit entry ${firstSeq} (${w.record.action} by ${w.actor.id}) after ${attempt} attempts: ${(e as Error).message}`,
    );
  }
}

/** Closes every open window now, appending their summaries (at runtime close, so a graceful stop loses no repeat count). */
export async function flushRepeatableAudits(ledger: AuditRuntime): Promise<void> {
  const windows = windowsOf(ledger);
  await Promise.all([...windows].map(([key, w]) => closeWindow(windows, key, w)));
}
