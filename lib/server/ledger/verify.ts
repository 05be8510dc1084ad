import "server-only";
import { toBase64 } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { takeSnapshot, type Verifier } from "../integrity/checkpoints.ts";
import { fullPass } from "../integrity/engine.ts";
import type { ParallelScan } from "../integrity/scan.ts";

// verify-log: the integrity engine's full pass (every checkpoint note, every
// leaf recomputed from its columns, every stored subtree hash, every
// checkpoint root, the tail), with the caller's keys and no remembered state,
// answered in the CLI's shape. One scan for the CLI, the bench, the tamper demo
// and the integrity center. Verification returns its verdict; it does not throw.

export type { Verifier } from "../integrity/checkpoints.ts";

export type VerifyResult = {
  ok: boolean;
  /** Entries in the log (its largest seq). */
  treeSize: number;
  checkpoints: number;
  latestCheckpoint: number;
  /** The verified root (base64) when ok; null when verification failed. */
  root: string | null;
  firstBadSeq: number | null;
  reason: string | null;
};

export async function verifyLog(
  db: SqlDriver,
  opts: {
    origin: string;
    verifiers: Verifier[];
    onProgress?: (done: number, total: number) => void;
    batch?: number;
    /** Recompute leaf hashes in a worker pool reading `store` (every core); without it, on this thread. */
    parallel?: ParallelScan;
  },
): Promise<VerifyResult> {
  const snap = await takeSnapshot(db);
  // Guards are the caller's to report (the CLI examines stores whose guards were removed).
  const pass = await fullPass(db, { ...opts, state: null, snap, checkGuards: false });
  return {
    ok: !pass.finding,
    treeSize: snap.head,
    checkpoints: snap.cps.length,
    latestCheckpoint: snap.cps.at(-1)?.size ?? 0,
    root: pass.range ? toBase64(pass.range.root()) : null,
    firstBadSeq: pass.finding?.firstBadSeq ?? null,
    reason: pass.finding?.reason ?? null,
  };
}
