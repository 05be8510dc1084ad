import "server-only";
import type { Cosigner } from "../cosigning/cosigner.ts";
import { getWitnessStatus, type WitnessStatus } from "../cosigning/status.ts";
import { recentCheckpoints } from "../ledger/store/checkpoints.ts";
import { logHead } from "../ledger/store/entries.ts";
import { coverageOf } from "./coverage.ts";
import { selectLogKeys } from "./pinned-keys.ts";
import { readState, type CoveredRange, type DeletedCheckpoint } from "./state.ts";
import { findRun, latestRuns, serializeRun, type Run, type RunRow } from "./runs.ts";
import { runningRun, type IntegrityRuntime } from "./verifier.ts";

// What the integrity page and GET /api/v1/integrity show. Status comes from the
// latest finished run: verified, broken, or unverified (no run finished yet).
// Unchecked reads: only the use cases in ./service.ts call them.

export type IntegrityStatus = {
  status: "verified" | "broken" | "unverified";
  verifiedThrough: number;
  verifiedAt: string | null;
  treeSize: number;
  lastRun: Run | null;
  latestFailure: Run | null;
  verifierKey: string | null;
  fingerprint: string | null;
  /** The log keys verification trusts and where the pin came from (pinned-keys.ts), with rows no chain leads to. */
  pinnedKeys: { source: string; keys: Array<{ verifierKey: string; why: string }>; unchained: string[] };
  checkpoints: Array<{ treeSize: number; createdAt: string; keyId: string }>;
  runs: Run[];
  /** The witnesses: each one's lag and last error, alerts (fork, rollback, refused, silent), the quorum of the latest checkpoint. */
  witnesses: WitnessStatus;
  /** Signed checkpoints the verifier had seen that are no longer stored (a failure until acknowledged). */
  deletedCheckpoints: DeletedCheckpoint[];
  /** When each range of entries was last re-hashed from its columns; every entry at least once per periodHours. */
  coverage: { periodHours: number; ranges: CoveredRange[]; oldest: string | null };
};

/** The verifier's remembered deletions and coverage (empty when it has no usable state yet). */
function rememberedView(ledger: IntegrityRuntime, treeSize: number) {
  let st = null;
  try {
    st = readState(ledger.config.dataDir);
  } catch {
    st = null; // the runs report an unusable state; the page still shows the rest
  }
  const ranges = coverageOf(st?.coverage ?? [], Math.min(treeSize, st?.treeSize ?? 0));
  const oldest = ranges.length && ranges.every((r) => r.at) ? ranges.map((r) => r.at!).sort()[0]! : null;
  return {
    deletedCheckpoints: st?.deletedCheckpoints ?? [],
    coverage: { periodHours: ledger.config.verifyCoverageMs / 3600_000, ranges, oldest },
  };
}

function withLiveProgress(ledger: IntegrityRuntime, r: RunRow): Run {
  const run = serializeRun(r);
  const live = runningRun(ledger);
  if (live && live.id === run.id && run.status === "running") run.progress = { done: live.done, total: live.total };
  return run;
}

/** The integrity status, without a permission check: callers check integrity:read first. */
export async function getIntegrityStatus(ledger: IntegrityRuntime & { cosigner?: Cosigner }): Promise<IntegrityStatus> {
  const db = ledger.db;
  const [runs, finished, lastOk, lastFailed, head, cps, witnesses] = await Promise.all([
    latestRuns(db, 20),
    latestRuns(db, 1, "WHERE status <> 'running'"),
    latestRuns(db, 1, "WHERE status = 'ok'"),
    latestRuns(db, 1, "WHERE status = 'failed'"),
    logHead(db),
    recentCheckpoints(db, 50),
    getWitnessStatus(ledger, ledger.cosigner),
  ]);
  let verifierKey: string | null = null;
  let fingerprint: string | null = null;
  try {
    const k = await ledger.signingKey();
    verifierKey = k.verifierKey;
    fingerprint = k.fingerprint;
  } catch {
    // shown as unknown; verification itself does not need it
  }
  const pins = await selectLogKeys(
    db,
    ledger.config.origin,
    ledger.config.logPins,
    verifierKey ? { verifierKey } : null,
  );
  const last = finished[0];
  const ok = lastOk[0];
  return {
    status: !last ? "unverified" : last.status === "ok" ? "verified" : "broken",
    verifiedThrough: last ? Number(last.verified_through) : 0,
    verifiedAt: ok?.finished_at ?? null,
    treeSize: head,
    lastRun: runs[0] ? withLiveProgress(ledger, runs[0]) : null,
    latestFailure: lastFailed[0] ? serializeRun(lastFailed[0]) : null,
    verifierKey,
    fingerprint,
    pinnedKeys: { source: pins.source, keys: pins.keys, unchained: pins.unchained },
    checkpoints: cps.map((c) => ({ treeSize: c.treeSize, createdAt: c.createdAt, keyId: c.keyId })),
    runs: runs.map((r) => withLiveProgress(ledger, r)),
    witnesses,
    ...rememberedView(ledger, head),
  };
}

/** One run with its progress (in-memory progress while it runs in this process). */
export async function getRun(ledger: IntegrityRuntime, id: string): Promise<Run | null> {
  const r = await findRun(ledger.db, id);
  return r ? withLiveProgress(ledger, r) : null;
}
