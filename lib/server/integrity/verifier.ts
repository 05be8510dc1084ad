import "server-only";
import { AppError } from "../errors.ts";
import { uuidv7 } from "../db/ids.ts";
import { verify } from "./run.ts";
import { closeAbandonedRuns, insertRun } from "./runs.ts";
import type { IntegrityLive, IntegrityResult, IntegrityRuntime, RunOptions } from "./types.ts";

export type { IntegrityLive, IntegrityRuntime, RunOptions } from "./types.ts";

// Runs verification against a ledger: records the run in integrity_runs,
// advances the remembered state (only after a clean run), and alerts once per
// distinct failure. One run at a time per ledger; a full pass runs in the
// background and reports progress in memory and in its row.

/** This process's verifier state for one ledger: the run in progress and the last alert sent. */
export function createIntegrityLive(): IntegrityLive {
  return { running: null, lastAlert: null };
}

function liveOf(rt: IntegrityRuntime): IntegrityLive {
  return rt.integrity;
}

/** The run in progress on this ledger (this process), with in-memory progress. */
export function runningRun(
  ledger: IntegrityRuntime,
): { id: string; mode: "incremental" | "full"; done: number; total: number } | null {
  const r = liveOf(ledger).running;
  return r ? { id: r.id, mode: r.mode, done: r.done, total: r.total } : null;
}

/**
 * Verifies the log (incremental: what is new since the remembered state plus a
 * rolling sample; full: everything) and returns the verdict. Never throws for
 * findings; a store that cannot be read at all still throws.
 */
export async function runVerification(ledger: IntegrityRuntime, opts: RunOptions): Promise<IntegrityResult> {
  const l = liveOf(ledger);
  if (l.running) {
    await l.running.promise.catch(() => undefined);
  }
  const id = await insertRun(ledger.db, opts.mode, opts.requestedBy ?? null);
  return execute(ledger, id, opts);
}

function execute(ledger: IntegrityRuntime, id: string, opts: RunOptions): Promise<IntegrityResult> {
  const l = liveOf(ledger);
  const entry = { id, mode: opts.mode, done: 0, total: 0, promise: null as unknown as Promise<IntegrityResult> };
  entry.promise = verify(ledger, id, opts, entry).finally(() => {
    if (l.running === entry) l.running = null;
  });
  l.running = entry;
  return entry.promise;
}

/**
 * Starts a full pass in the background and returns its run id at once. One
 * full pass at a time: a second request gets AppError conflict naming the
 * running one. A scheduled incremental run in progress is waited for.
 */
export async function startFullPass(ledger: IntegrityRuntime, actor: { id: string } | null): Promise<string> {
  const l = liveOf(ledger);
  if (l.running?.mode === "full") {
    throw new AppError("conflict", `A full verification pass is already running (run ${l.running.id}).`, {
      id: l.running.id,
    });
  }
  const waitFor = l.running?.promise;
  const id = uuidv7();
  const inserted = insertRun(ledger.db, "full", actor?.id ?? null, id);
  const entry = { id, mode: "full" as const, done: 0, total: 0, promise: null as unknown as Promise<IntegrityResult> };
  // Registered before anything awaits, so a concurrent second request sees it.
  entry.promise = (async () => {
    await inserted;
    if (waitFor) await waitFor.catch(() => undefined);
    return verify(ledger, id, { mode: "full", requestedBy: actor?.id ?? null }, entry);
  })().finally(() => {
    if (l.running === entry) l.running = null;
  });
  l.running = entry;
  await inserted;
  entry.promise.catch((e) =>
    console.error(`[ledgerline] full verification pass ${id} failed to run: ${(e as Error).message}`),
  );
  return id;
}

/** Resolves when the run in progress (if any) has finished; for tests and shutdown. */
export async function settle(ledger: IntegrityRuntime): Promise<void> {
  await liveOf(ledger).running?.promise.catch(() => undefined);
}

/**
 * The scheduler: an incremental run every LEDGERLINE_VERIFY_INTERVAL seconds
 * (skipped while another run is in progress), the first one shortly after start.
 */
export function startIntegrityScheduler(
  ledger: IntegrityRuntime,
  log: (m: string) => void = console.log,
): { stop(): void } {
  const every = ledger.config.verifyIntervalMs;
  if (!every) {
    log("integrity verification schedule disabled (LEDGERLINE_VERIFY_INTERVAL=0)");
    return { stop() {} };
  }
  closeAbandonedRuns(ledger.db, new Set(runningRun(ledger) ? [runningRun(ledger)!.id] : [])).catch((e) =>
    console.error(`[ledgerline] could not close interrupted integrity runs: ${(e as Error).message}`),
  );
  const tick = () => {
    if (liveOf(ledger).running) return;
    runVerification(ledger, { mode: "incremental" })
      .then((r) => {
        if (r.ok)
          log(`integrity verified through seq ${r.verifiedThrough} (${r.mode}, ${r.entriesChecked} entries checked)`);
      })
      .catch((e) => console.error(`[ledgerline] integrity verification could not run: ${(e as Error).message}`));
  };
  const first = setTimeout(tick, Math.min(every, 5000));
  const timer = setInterval(tick, every);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
