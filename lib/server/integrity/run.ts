import "server-only";
import { toBase64 } from "@/lib/core/index.ts";
import { nowIso } from "../db/ids.ts";
import type { SqlDriver } from "../db/driver.ts";
import { alertKey, raiseAlert } from "./alerts.ts";
import { checkpointsDigest, takeSnapshot, type Snapshot, type Verifier } from "./checkpoints.ts";
import { selectLogKeys } from "./pinned-keys.ts";
import { storeOf } from "../workers/leaf-task.ts";
import { chunkRanges, markCovered, pickSample, sampleBudget } from "./coverage.ts";
import { CHUNK, fullPass, incrementalPass, type PassResult } from "./engine.ts";
import type { ParallelScan } from "./scan.ts";
import { finishRun, updateProgress } from "./runs.ts";
import { appendSeenCheckpoints, compareSeenCheckpoints, deletedCheckpointsReason } from "./seen-checkpoints.ts";
import { StateError, readState, writeStateKeepingAcks, type VerifierState } from "./state.ts";
import type { Finding, IntegrityResult, IntegrityRuntime, RunOptions } from "./types.ts";

// One verification run, already registered in integrity_runs as `id`: pick the
// pass (incremental from the remembered state, or full), record the verdict,
// advance the remembered state only after a clean run, alert once per
// distinct failure. verifier.ts decides when runs happen.

const PROGRESS_ROWS_EVERY = 10_000;

type Progress = { done: number; total: number };

export async function verify(
  rt: IntegrityRuntime,
  id: string,
  opts: RunOptions,
  progress: Progress,
): Promise<IntegrityResult> {
  const db = rt.db;
  const remembered = rememberedState(rt);
  const keys = await selectLogKeys(db, rt.config.origin, rt.config.logPins, await runningKey(rt));
  const verifiers = keys.verifiers;
  const snap = await takeSnapshot(db);
  // Full passes hash on every core (the runtime's worker pool; incremental ones hash little).
  const parallel = rt.workers ? { pool: rt.workers, store: storeOf(rt.config.database) } : undefined;
  const memory = remembered.state ? rememberDeletions(rt, remembered.state, snap, opts.mode) : null;
  const state = memory?.passState ?? remembered.state;
  const input = {
    origin: rt.config.origin,
    verifiers,
    snap,
    batch: opts.batch,
    coverageMs: rt.config.verifyCoverageMs,
    parallel,
  };
  const onProgress = progressRecorder(db, id, opts, progress);
  const ran = remembered.problem
    ? { pass: unusableState(remembered.problem), sample: null }
    : await runPass(db, { ...input, state, onProgress }, opts.mode);
  // Deleted checkpoints stay a failure after a clean pass (which still advances the remembered tree).
  const sticky = deletedCheckpointsReason(state?.deletedCheckpoints ?? []);
  const pass = withKeyFinding(
    ran.pass.finding || !sticky ? ran.pass : { ...ran.pass, finding: stickyFinding(sticky) },
    keys.unchained,
  );
  const result = resultOf(id, opts.mode, snap, pass, state);
  let latest = state;
  if (ran.pass.range && !ran.pass.finding) {
    latest = rememberClean(rt, { snap, pass: ran.pass, state, sample: ran.sample, mode: opts.mode });
    if (!pass.finding) rt.integrity.lastAlert = null;
  }
  await finishRun(db, id, {
    ok: result.ok,
    mode: opts.mode,
    treeSize: result.treeSize,
    verifiedThrough: result.verifiedThrough,
    entriesChecked: result.entriesChecked,
    checkpointsChecked: result.checkpointsChecked,
    firstBadSeq: result.firstBadSeq,
    kind: result.kind,
    reason: result.reason,
    progressTotal: Math.max(progress.total, progress.done),
  });
  if (pass.finding && opts.alert !== false) await alertOnce(rt, result, latest);
  return result;
}

function stickyFinding(reason: string): Finding {
  return { kind: "deleted-checkpoint", firstBadSeq: null, reason };
}

/** Names checkpoints deleted since the verifier saw them and records them at once, whatever the pass finds next. */
function rememberDeletions(rt: IntegrityRuntime, state: VerifierState, snap: Snapshot, mode: RunOptions["mode"]) {
  const memory = compareSeenCheckpoints(rt.config.dataDir, state, snap, mode === "full");
  if (memory.found) {
    try {
      writeStateKeepingAcks(rt.config.dataDir, { ...state, deletedCheckpoints: memory.deleted });
    } catch (e) {
      console.error(`[ledgerline] verifier state not updated with deleted checkpoints: ${(e as Error).message}`);
    }
  }
  return memory;
}

/** Keeps in-memory progress current; writes it to the run's row every PROGRESS_ROWS_EVERY entries. */
function progressRecorder(db: SqlDriver, id: string, opts: RunOptions, progress: Progress) {
  let lastRowWrite = 0;
  return (done: number, total: number) => {
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
}

function rememberedState(rt: IntegrityRuntime): { state: VerifierState | null; problem: string | null } {
  try {
    const state = readState(rt.config.dataDir);
    // Another log's memory: start over.
    return { state: state && state.origin === rt.config.origin ? state : null, problem: null };
  } catch (e) {
    if (!(e instanceof StateError)) throw e;
    return { state: null, problem: e.message };
  }
}

/** A signing_keys row no rotation chain from the pins leads to fails the run, naming the key (unless something worse did). */
function withKeyFinding(pass: PassResult, unchained: string[]): PassResult {
  if (pass.finding || !unchained.length) return pass;
  return { ...pass, finding: { kind: "forged-key", firstBadSeq: null, reason: unchained.join("; ") } };
}

async function runningKey(rt: IntegrityRuntime): Promise<{ verifierKey: string } | null> {
  try {
    return { verifierKey: (await rt.signingKey()).verifierKey };
  } catch {
    return null; // a missing key must not stop verification of what is stored
  }
}

function unusableState(problem: string): PassResult {
  return {
    finding: { kind: "other", firstBadSeq: null, reason: `the verifier's remembered state is unusable: ${problem}` },
    entriesChecked: 0,
    checkpointsChecked: 0,
    range: null,
  };
}

type PassInput = {
  origin: string;
  verifiers: Verifier[];
  snap: Snapshot;
  state: VerifierState | null;
  onProgress: (done: number, total: number) => void;
  batch?: number;
  parallel?: ParallelScan;
  coverageMs: number;
};

/** What a clean incremental run re-hashed from the entries' columns, for the coverage bookkeeping. */
type Sampled = { cursor: number; ranges: Array<{ from: number; to: number }> };

/** Incremental when there is a remembered state to build on, escalating to a full pass on anything odd. */
async function runPass(
  db: SqlDriver,
  input: PassInput,
  mode: RunOptions["mode"],
): Promise<{ pass: PassResult; sample: Sampled | null }> {
  const { state } = input;
  if (mode !== "incremental" || !state) return { pass: await fullPass(db, input), sample: null };
  const chunks = Math.floor(state.treeSize / CHUNK);
  const since = Date.parse(state.sampledAt ?? state.verifiedAt);
  const budget = sampleBudget(chunks, Number.isNaN(since) ? input.coverageMs : Date.now() - since, input.coverageMs);
  const sample = pickSample(chunks, state.sampleCursor, budget);
  const inc = await incrementalPass(db, { ...input, state, sample: sample.chunks });
  if (!inc.escalate) {
    // Re-hashed from columns: the sweep's chunks, the remembered tail below one chunk, and every new entry.
    const ranges = [...chunkRanges(sample.sequential, CHUNK), { from: chunks * CHUNK + 1, to: input.snap.head }];
    return { pass: inc.result, sample: { cursor: sample.cursor, ranges } };
  }
  // Something changed that should not have: a full pass names it precisely.
  const full = await fullPass(db, input);
  const pass = { ...full, entriesChecked: full.entriesChecked + inc.entriesChecked };
  if (pass.finding) return { pass, sample: null };
  const reason = `incremental check failed (${inc.why}), but a full pass found nothing: the log changed during the run?`;
  return { pass: { ...pass, finding: { kind: "other", firstBadSeq: null, reason }, range: null }, sample: null };
}

function resultOf(
  id: string,
  mode: RunOptions["mode"],
  snap: Snapshot,
  pass: PassResult,
  state: VerifierState | null,
): IntegrityResult {
  const f: Finding | null = pass.finding;
  return {
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
}

/**
 * After a clean pass: the verified tree becomes the remembered state the next
 * incremental run builds on; the new checkpoints join the seen ones; the
 * coverage records what was re-hashed (everything, after a full pass).
 */
function rememberClean(
  rt: IntegrityRuntime,
  run: {
    snap: Snapshot;
    pass: PassResult;
    state: VerifierState | null;
    sample: Sampled | null;
    mode: RunOptions["mode"];
  },
): VerifierState {
  const { snap, state, sample } = run;
  const range = run.pass.range!;
  const maxCp = snap.cps.at(-1) ?? null;
  const d = checkpointsDigest(snap.cps, maxCp?.size ?? 0);
  const now = nowIso();
  const seenBytes = appendSeenCheckpoints(
    rt.config.dataDir,
    state?.seenCheckpointsBytes ?? 0,
    snap.cps,
    state?.seenCheckpointsBytes === undefined ? 0 : (state.checkpoint?.treeSize ?? 0),
  );
  let coverage = sample ? (state?.coverage ?? []) : [];
  for (const r of sample?.ranges ?? [{ from: 1, to: snap.head }]) coverage = markCovered(coverage, r.from, r.to, now);
  return writeStateKeepingAcks(rt.config.dataDir, {
    version: 1,
    origin: rt.config.origin,
    treeSize: snap.head,
    root: toBase64(range.root()),
    subtrees: range.subtrees().map(toBase64),
    checkpoint: maxCp ? { treeSize: maxCp.size, root: toBase64(maxCp.root) } : null,
    checkpointsDigest: d.digest,
    checkpointCount: d.count,
    verifiedAt: now,
    sampleCursor: sample?.cursor ?? state?.sampleCursor ?? 0,
    sampledAt: sample ? now : (state?.sampledAt ?? now),
    // A deleted checkpoint still unacknowledged is the same failure: alerted once, not again after a restart.
    lastAlert: deletedCheckpointsReason(state?.deletedCheckpoints ?? []) ? (state?.lastAlert ?? null) : null,
    seenCheckpointsBytes: seenBytes,
    deletedCheckpoints: state?.deletedCheckpoints ?? [],
    coverage,
  });
}

async function alertOnce(rt: IntegrityRuntime, r: IntegrityResult, state: VerifierState | null): Promise<void> {
  const key = alertKey(r);
  const live = rt.integrity;
  if (live.lastAlert === key || state?.lastAlert === key) return;
  live.lastAlert = key;
  if (state) {
    try {
      writeStateKeepingAcks(rt.config.dataDir, { ...state, lastAlert: key });
    } catch (e) {
      console.error(`[ledgerline] verifier state not updated: ${(e as Error).message}`);
    }
  }
  await raiseAlert(rt, r);
}
