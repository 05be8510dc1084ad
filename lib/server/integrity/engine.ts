import "server-only";
import { checkDeclarations } from "../retention/verify-declarations.ts";
import { CompactRange, bytesEqual, fromBase64, merkleRoot, perfectSubtrees, toBase64 } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { checkGuards } from "../db/guards.ts";
import { checkReceipts } from "../retention/verify-receipts.ts";
import { allNodes, nodesBetween } from "../ledger/store/nodes.ts";
import { storedRangeHasher, TreeReadError } from "../ledger/tree.ts";
import {
  checkpointForks,
  checkpointsDigest,
  forgedFinding,
  stateFinding,
  type Cp,
  type Progress,
  type Snapshot,
  type Verifier,
} from "./checkpoints.ts";
import { recomputedLeaves, scan, scanFinding, type ParallelScan } from "./scan.ts";
import type { VerifierState } from "./state.ts";
import type { Finding } from "./types.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// The verification passes. Pure functions of (database, remembered state):
// they read, never write, and return findings instead of throwing.
//
//   full pass:   every checkpoint note → the remembered state (rollback, fork)
//                → RFC 9162 consistency between successive checkpoints → every
//                entry in seq order (leaf, subtree hashes, checkpoint roots)
//                → tail vs latest checkpoint and remembered size → guards.
//   incremental: cheap proofs that nothing verified before changed (row count,
//                checkpoint digest, remembered compact range against the stored
//                tree), then only the new entries and checkpoints, plus a rolling
//                sample of old 256-entry chunks recomputed from their columns.
//                Anything suspicious escalates to a full pass, which names the
//                kind and the first bad seq.

export const CHUNK = 256;

export type PassResult = {
  finding: Finding | null;
  entriesChecked: number;
  checkpointsChecked: number;
  /** When clean: the verified tree (for the new remembered state). */
  range: CompactRange | null;
};

async function guardsFinding(db: SqlDriver): Promise<Finding | null> {
  const g = await checkGuards(db);
  if (!g.ok)
    return {
      kind: "guards",
      firstBadSeq: null,
      reason: `the entries verify, but the append-only guards are missing or altered: ${g.problems.join("; ")}`,
    };
  // personal_fields edited beside the use cases: later values would enter leaves unerasable.
  const d = await checkDeclarations(db);
  return d.length
    ? {
        kind: "guards",
        firstBadSeq: null,
        reason: `the entries verify, but the personal-field declarations disagree with the log: ${d.join("; ")}`,
      }
    : null;
}

type FullPassOptions = {
  origin: string;
  verifiers: Verifier[];
  state: VerifierState | null;
  snap: Snapshot;
  onProgress?: Progress;
  batch?: number;
  /** Also report missing or altered append-only guards (default true; the forensic CLI reports them apart). */
  checkGuards?: boolean;
  /** Recompute leaf hashes in the worker pool (every core) instead of on this thread. */
  parallel?: ParallelScan;
};

/** Everything, from seq 1. */
export async function fullPass(db: SqlDriver, opts: FullPassOptions): Promise<PassResult> {
  const { snap, state } = opts;
  const done = (finding: Finding | null, entriesChecked = 0, range: CompactRange | null = null): PassResult => ({
    finding,
    entriesChecked,
    checkpointsChecked: snap.cps.length,
    range: finding ? null : range,
  });
  const early = forgedFinding(snap.cps, opts.verifiers, opts.origin) ?? (state ? stateFinding(state, snap) : null);
  if (early) return done(early);
  const s = await scan(db, {
    from: 0,
    to: snap.head,
    range: CompactRange.empty(nodeHasher),
    cps: snap.cps,
    nodes: await allNodes(db),
    rootAt: state && state.treeSize <= snap.head ? [state.treeSize] : [],
    onProgress: opts.onProgress,
    batch: opts.batch,
    parallel: opts.parallel,
  });
  if (s.failure) {
    // Only a checkpoint mismatch can be a fork: the consistency proofs run then, not on every pass.
    const forks =
      s.failure.type === "checkpoint"
        ? await checkpointForks(
            db,
            snap.cps.filter((c) => c.size <= snap.head),
          )
        : new Map<number, string>();
    return done(scanFinding(s.failure, s.mismatches, forks), s.checked);
  }
  const tail = tailFinding(snap, state, s.range.root(), s.snapshots);
  if (tail) return done(tail, s.checked);
  const receipts = await checkReceipts(db, { ...s.marks, head: snap.head });
  if (receipts) return done({ kind: "modified", ...receipts }, s.checked);
  return done(opts.checkGuards === false ? null : await guardsFinding(db), s.checked, s.range);
}

/** After a clean scan: checkpoints or a remembered size beyond the log's end, or a rewritten remembered prefix. */
function tailFinding(
  snap: Snapshot,
  state: VerifierState | null,
  root: Uint8Array,
  snapshots: Map<number, Uint8Array>,
): Finding | null {
  const beyond = snap.cps.find((c) => c.size > snap.head);
  if (beyond) {
    return {
      kind: "truncated",
      firstBadSeq: snap.head + 1,
      reason: `the log ends at entry ${snap.head} but checkpoint ${beyond.size} was signed: entries were deleted from the tail`,
    };
  }
  if (state && state.treeSize > snap.head) {
    return {
      kind: "truncated",
      firstBadSeq: snap.head + 1,
      reason: `the log ends at entry ${snap.head}, but the verifier had verified ${state.treeSize} entries at ${state.verifiedAt}: entries ${snap.head + 1}..${state.treeSize} were deleted from the tail`,
    };
  }
  if (state && state.treeSize > 0 && state.treeSize <= snap.head) {
    const seen = state.treeSize === snap.head ? root : snapshots.get(state.treeSize);
    if (seen && toBase64(seen) !== state.root) {
      return {
        kind: "rollback",
        firstBadSeq: null,
        reason: `the first ${state.treeSize} entries no longer hash to the root the verifier saw at ${state.verifiedAt}: the log was rolled back and rewritten`,
      };
    }
  }
  return null;
}

export type IncrementalOutcome =
  { escalate: false; result: PassResult; sampled: number[] } | { escalate: true; why: string; entriesChecked: number };

/**
 * New entries and checkpoints since the remembered state, plus a sample of old
 * chunks. Returns escalate when anything does not check out: the caller then
 * runs a full pass to name the kind and the first bad seq.
 */
export async function incrementalPass(
  db: SqlDriver,
  opts: {
    origin: string;
    verifiers: Verifier[];
    state: VerifierState;
    snap: Snapshot;
    sample: number[];
    onProgress?: Progress;
    batch?: number;
  },
): Promise<IncrementalOutcome> {
  const { snap, state } = opts;
  let checked = 0;
  const up = (why: string): IncrementalOutcome => ({ escalate: true, why, entriesChecked: checked });
  if (snap.count !== snap.head) return up(`the log has ${snap.count} rows for seqs 1..${snap.head}`);
  if (snap.head < state.treeSize) return up(`the log shrank from ${state.treeSize} to ${snap.head} entries`);
  if (stateFinding(state, snap)) return up("the remembered checkpoint changed");
  const rememberedCp = state.checkpoint?.treeSize ?? 0;
  const digest = checkpointsDigest(snap.cps, rememberedCp);
  if (digest.digest !== state.checkpointsDigest || digest.count !== state.checkpointCount)
    return up("checkpoints the verifier had seen changed");
  const fresh = snap.cps.filter((c) => c.size > rememberedCp);
  if (forgedFinding(fresh, opts.verifiers, opts.origin)) return up("a new checkpoint does not verify");

  // The remembered tree still is the stored tree.
  const remembered = state.subtrees.map((h) => fromBase64(h));
  const tree = await rememberedTreeProblem(db, state.treeSize, remembered);
  checked += tree.checked;
  if (tree.why) return up(tree.why);

  // New checkpoints: consistency from the remembered checkpoint on, by proof.
  const chain: Cp[] = [
    ...(state.checkpoint
      ? [
          {
            size: state.checkpoint.treeSize,
            root: fromBase64(state.checkpoint.root),
            row: snap.cps.find((c) => c.size === rememberedCp)!.row,
          },
        ]
      : []),
    ...fresh,
  ];
  if ((await checkpointForks(db, chain)).size) return up("new checkpoints are not consistent");

  // New entries, onto the remembered compact range.
  const s = await scan(db, {
    from: state.treeSize,
    to: snap.head,
    range: CompactRange.fromSubtrees(state.treeSize, remembered, nodeHasher),
    cps: fresh,
    nodes: await allNodes(db),
    onProgress: opts.onProgress,
    batch: opts.batch,
  });
  checked += s.checked;
  if (s.failure) return up(`new entries: ${scanFinding(s.failure, s.mismatches, new Map()).reason}`);
  if (fresh.some((c) => c.size > snap.head)) return up("a checkpoint is larger than the log");

  // Rolling sample of old, complete 256-entry chunks.
  const sampled = await sampleProblem(db, opts.sample);
  checked += sampled.checked;
  if (sampled.why) return up(sampled.why);

  const guards = await guardsFinding(db);
  return {
    escalate: false,
    sampled: opts.sample,
    result: {
      finding: guards,
      entriesChecked: checked,
      checkpointsChecked: fresh.length,
      range: guards ? null : s.range,
    },
  };
}

type Check = { why: string | null; checked: number };

/**
 * The remembered compact range against the stored tree: stored subtree hashes,
 * and below one chunk, leaves recomputed from their columns.
 */
async function rememberedTreeProblem(db: SqlDriver, size: number, remembered: Uint8Array[]): Promise<Check> {
  const hasher = storedRangeHasher(db);
  let checked = 0;
  for (const [i, p] of perfectSubtrees(size).entries()) {
    let h: Uint8Array;
    try {
      if (p.end - p.start >= CHUNK) h = await hasher(p.start, p.end);
      else {
        const leaves = await recomputedLeaves(db, p.start, p.end);
        if (!leaves) return { why: `entries ${p.start + 1}..${p.end} do not recompute`, checked };
        checked += leaves.length;
        h = merkleRoot(leaves, nodeHasher);
      }
    } catch (e) {
      if (e instanceof TreeReadError) return { why: e.message, checked };
      throw e;
    }
    if (!bytesEqual(h, remembered[i]!))
      return { why: `entries ${p.start + 1}..${p.end} no longer match the remembered tree`, checked };
  }
  return { why: null, checked };
}

/** Sampled old chunks recomputed from their columns against their stored level-8 subtree hash. */
async function sampleProblem(db: SqlDriver, chunks: number[]): Promise<Check> {
  let checked = 0;
  for (const chunk of chunks) {
    const start = chunk * CHUNK;
    const leaves = await recomputedLeaves(db, start, start + CHUNK);
    if (!leaves) return { why: `sampled entries ${start + 1}..${start + CHUNK} do not recompute`, checked };
    checked += CHUNK;
    const [node] = await nodesBetween(db, 8, chunk, chunk + 1);
    if (!node || !bytesEqual(node, merkleRoot(leaves, nodeHasher)))
      return { why: `sampled entries ${start + 1}..${start + CHUNK} do not match their stored subtree hash`, checked };
  }
  return { why: null, checked };
}
