import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The verifier's memory, kept OUTSIDE the database on purpose: someone who can
// rewrite the entries and checkpoints tables (and this log's run history) cannot
// make the verifier forget how large and how rooted the log already was. It is
// what detects a truncated tail and a rollback that removed checkpoints too.
// Written atomically (temp file + fsync + rename), mode 0600.

export type VerifierState = {
  version: 1;
  origin: string;
  /** Entries verified (the tree size at the last successful run). */
  treeSize: number;
  /** RFC 9162 root of those entries, base64. */
  root: string;
  /** The compact range (perfect-subtree hashes, largest first, base64): incremental runs resume from it. */
  subtrees: string[];
  /** The largest checkpoint seen, and its root. */
  checkpoint: { treeSize: number; root: string } | null;
  /** SHA-256 over every checkpoint row up to checkpoint.treeSize: a changed old checkpoint re-verifies them all. */
  checkpointsDigest: string;
  checkpointCount: number;
  verifiedAt: string;
  /** Next 256-entry chunk of the rolling sample. */
  sampleCursor: number;
  /** The last failure alerted (kind/seq/reason digest), so one failure alerts once. */
  lastAlert?: string | null;
  /** Bytes of verifier-checkpoints.jsonl that are valid (what a crash may have appended beyond is dropped). */
  seenCheckpointsBytes?: number;
  /** Checkpoints the verifier had seen that are no longer stored: a failure until an admin acknowledges each. */
  deletedCheckpoints?: DeletedCheckpoint[];
  /** When each range of entries was last re-hashed from its columns (coverage.ts). */
  coverage?: CoveredRange[];
  /** When the rolling sample last ran: the next one's budget grows with the time since. */
  sampledAt?: string;
};

export type DeletedCheckpoint = {
  treeSize: number;
  /** When the checkpoint was signed (its row's created_at as the verifier saw it). */
  signedAt: string;
  root: string;
  keyId: string;
  detectedAt: string;
  acknowledged: { by: string; at: string } | null;
};

/** Entries from..to (seqs, inclusive) were all re-hashed at or after `at` (null: not since this was tracked). */
export type CoveredRange = { from: number; to: number; at: string | null };

export function stateFile(dataDir: string): string {
  return path.join(dataDir, "verifier-state.json");
}

export class StateError extends Error {}

/** The remembered state, or null when none was written yet. Throws StateError when it is unreadable. */
export function readState(dataDir: string): VerifierState | null {
  const file = stateFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StateError(`${file} cannot be read: ${(e as Error).message}`);
  }
  let s: VerifierState;
  try {
    s = JSON.parse(text) as VerifierState;
  } catch (e) {
    throw new StateError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (s.version !== 1 || typeof s.treeSize !== "number" || !Array.isArray(s.subtrees) || typeof s.root !== "string") {
    throw new StateError(`${file} is not a Ledgerline verifier state (version 1)`);
  }
  return s;
}

export function writeState(dataDir: string, s: VerifierState): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = stateFile(dataDir);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const fd = fs.openSync(tmp, "wx", 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(s, null, 2) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Writes `next`, keeping deleted checkpoints and acknowledgements another
 * writer (an admin's acknowledgement, another process) recorded since `next`
 * was read: a run that started before them must not undo them.
 */
export function writeStateKeepingAcks(dataDir: string, next: VerifierState): VerifierState {
  let current: VerifierState | null = null;
  try {
    current = readState(dataDir);
  } catch {
    current = null; // unreadable: the new state replaces it
  }
  const known = new Map((current?.deletedCheckpoints ?? []).map((d) => [d.treeSize, d]));
  const mine = next.deletedCheckpoints ?? [];
  const merged: VerifierState = {
    ...next,
    deletedCheckpoints: [
      ...mine.map((d) => (d.acknowledged ? d : { ...d, acknowledged: known.get(d.treeSize)?.acknowledged ?? null })),
      ...[...known.values()].filter((d) => !mine.some((m) => m.treeSize === d.treeSize)),
    ].sort((a, b) => a.treeSize - b.treeSize),
  };
  writeState(dataDir, merged);
  return merged;
}
