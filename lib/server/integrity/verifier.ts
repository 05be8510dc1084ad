import "server-only";
import { toBase64 } from "@/lib/core/index.ts";
import { AppError } from "../errors.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { Verifier } from "../ledger/verify.ts";
import { alertKey, raiseAlert } from "./alerts.ts";
import {
  CHUNK,
  checkpointsDigest,
  fullPass,
  incrementalPass,
  pickSample,
  takeSnapshot,
  trustedKeys,
  type PassResult,
} from "./engine.ts";
import { closeAbandonedRuns, finishRun, insertRun, updateProgress } from "./runs.ts";
import { StateError, readState, writeState, type VerifierState } from "./state.ts";
import type { Finding, IntegrityResult } from "./types.ts";

// Runs verification against a ledger: records the run in integrity_runs,
// advances the remembered state (only after a clean run), and alerts once per
// distinct failure. One run at a time per ledger; a full pass runs in the
// background and reports progress in memory and in its row.

const PROGRESS_ROWS_EVERY = 10_000;

/** This process's verifier state for one ledger: the run in progress and the last alert sent. */
export type IntegrityLive = {
  running: {
    id: string;
    mode: "incremental" | "full";
    done: number;
    total: number;
    promise: Promise<IntegrityResult>;
  } | null;
  lastAlert: string | null;
};

/** The part of a Runtime the verifier needs (lib/server/runtime/runtime.ts makes one per ledger). */
export type IntegrityRuntime = Ledger & { integrity: IntegrityLive };

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

export type RunOptions = {
  mode: "incremental" | "full";
  onProgress?: (done: number, total: number) => void;
  /** Who asked (user email), for on-demand runs. */
  requestedBy?: string | null;
  /** Send alerts on failure (default true). */
  alert?: boolean;
  batch?: number;
};

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

async function verify(
  ledger: IntegrityRuntime,
  id: string,
  opts: RunOptions,
  progress: { done: number; total: number },
): Promise<IntegrityResult> {
  const db = ledger.db;
  const origin = ledger.config.origin;
  let lastRowWrite = 0;
  const onProgress = (done: number, total: number) => {
    progress.done = done;
    progress.total = total;
    opts.onProgress?.(done, total);
    if (done - lastRowWrite >= PROGRESS_ROWS_EVERY) {
      lastRowWrite = done;
      updateProgress(db, id, done, total).catch((e) =>
        console.error(`[ledgerline] integrity progress not recorded: ${(e as Error).message}`),
      );
    }
  };

  let state: VerifierState | null = null;
  let stateProblem: string | null = null;
  try {
    state = readState(ledger.config.dataDir);
    if (state && state.origin !== origin) state = null; // another log's memory: start over
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    stateProblem = e.message;
  }

  let current: Verifier | null = null;
  try {
    const k = await ledger.signingKey();
    current = { name: k.name, publicKey: k.publicKey };
  } catch {
    // a missing key must not stop verification of what is stored
  }
  const verifiers = await trustedKeys(db, current);
  const snap = await takeSnapshot(db);
  const mode = opts.mode;
  let pass: PassResult;
  let sampleCursor = state?.sampleCursor ?? 0;

  if (stateProblem) {
    pass = {
      finding: {
        kind: "other",
        firstBadSeq: null,
        reason: `the verifier's remembered state is unusable: ${stateProblem}`,
      },
      entriesChecked: 0,
      checkpointsChecked: 0,
      range: null,
    };
  } else if (mode === "incremental" && state) {
    const old = Math.floor(state.treeSize / CHUNK);
    const sample = pickSample(old, state.sampleCursor);
    sampleCursor = sample.cursor;
    const inc = await incrementalPass(db, {
      origin,
      verifiers,
      state,
      snap,
      sample: sample.chunks,
      onProgress,
      batch: opts.batch,
    });
    if (!inc.escalate) pass = inc.result;
    else {
      // Something changed that should not have: a full pass names it precisely.
      pass = await fullPass(db, { origin, verifiers, state, snap, onProgress, batch: opts.batch });
      pass = { ...pass, entriesChecked: pass.entriesChecked + inc.entriesChecked };
      if (!pass.finding)
        pass = {
          ...pass,
          finding: {
            kind: "other",
            firstBadSeq: null,
            reason: `incremental check failed (${inc.why}), but a full pass found nothing: the log changed during the run?`,
          },
          range: null,
        };
    }
  } else {
    pass = await fullPass(db, { origin, verifiers, state, snap, onProgress, batch: opts.batch });
  }

  const f: Finding | null = pass.finding;
  const result: IntegrityResult = {
    ok: !f,
    mode,
    treeSize: snap.head,
    verifiedThrough: f
      ? Math.max(0, Math.min(f.firstBadSeq === null ? (state?.treeSize ?? 0) : f.firstBadSeq - 1, snap.head))
      : snap.head,
    checkpointsChecked: pass.checkpointsChecked,
    entriesChecked: pass.entriesChecked,
    firstBadSeq: f?.firstBadSeq ?? null,
    kind: f?.kind ?? null,
    reason: f?.reason ?? null,
    runId: id,
  };

  if (!f && pass.range) {
    const maxCp = snap.cps.at(-1) ?? null;
    const d = checkpointsDigest(snap.cps, maxCp?.size ?? 0);
    writeState(ledger.config.dataDir, {
      version: 1,
      origin,
      treeSize: snap.head,
      root: toBase64(pass.range.root()),
      subtrees: pass.range.subtrees().map(toBase64),
      checkpoint: maxCp ? { treeSize: maxCp.size, root: toBase64(maxCp.root) } : null,
      checkpointsDigest: d.digest,
      checkpointCount: d.count,
      verifiedAt: nowIso(),
      sampleCursor,
      lastAlert: null,
    });
    liveOf(ledger).lastAlert = null;
  }
  await finishRun(db, id, {
    ok: result.ok,
    mode,
    treeSize: result.treeSize,
    verifiedThrough: result.verifiedThrough,
    entriesChecked: result.entriesChecked,
    checkpointsChecked: result.checkpointsChecked,
    firstBadSeq: result.firstBadSeq,
    kind: result.kind,
    reason: result.reason,
    progressTotal: Math.max(progress.total, progress.done),
  });
  if (f && opts.alert !== false) await alertOnce(ledger, result, state);
  return result;
}

async function alertOnce(ledger: IntegrityRuntime, r: IntegrityResult, state: VerifierState | null): Promise<void> {
  const key = alertKey(r);
  const l = liveOf(ledger);
  if (l.lastAlert === key || state?.lastAlert === key) return;
  l.lastAlert = key;
  if (state) {
    try {
      writeState(ledger.config.dataDir, { ...state, lastAlert: key });
    } catch (e) {
      console.error(`[ledgerline] verifier state not updated: ${(e as Error).message}`);
    }
  }
  await raiseAlert(ledger, r);
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
