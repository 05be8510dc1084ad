import "server-only";
import { CompactRange, bytesEqual } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { rowLeafHash } from "../ledger/entry.ts";
import { entriesFrom } from "../ledger/store/entries.ts";
import { nodeKey } from "../ledger/store/nodes.ts";
import { isStoredLevel } from "../ledger/tree.ts";
import type { LeafBatch, StoreLocation } from "../workers/leaf-task.ts";
import type { WorkerPool } from "../workers/pool.ts";
import type { Cp, Progress } from "./checkpoints.ts";
import type { LeafMismatch, ScanFailure } from "./scan-finding.ts";

// The entry scan shared by every pass: recompute each leaf from its columns,
// rebuild the tree in seq order, compare stored subtree hashes and checkpoint
// roots — then name what the first failure is (modified, inserted, reordered,
// deleted and renumbered, gap, subtree, checkpoint; scan-finding.ts).

// engine.ts takes the whole scan API from here.
export { scanFinding } from "./scan-finding.ts";

const MISMATCH_CAP = 1000;

type ScanResult = {
  failure: ScanFailure | null;
  mismatches: LeafMismatch[];
  range: CompactRange;
  checked: number;
  snapshots: Map<number, Uint8Array>;
};

/** The worker pool and the store its threads read from: leaf hashes are recomputed on every core. */
export type ParallelScan = {
  pool: WorkerPool;
  store: StoreLocation;
  /** Entries per worker task (default 20 000: per-task costs vanish, a few MiB of rows per thread). */
  batch?: number;
};

type Fold = (stored: Uint8Array, seq: number) => ScanFailure | null;

/**
 * Folds verified leaves into `range` in seq order: compares each stored subtree
 * hash it completes, records the roots asked for, and checks each checkpoint
 * root it reaches. Returns the first failure (the caller stops folding then).
 */
function treeFolder(
  range: CompactRange,
  nodes: Map<string, Uint8Array>,
  cps: Cp[],
  want: Set<number>,
  snapshots: Map<number, Uint8Array>,
  from: number,
): Fold {
  let nextCp = 0;
  let lastGood = from;
  return (stored, seq) => {
    for (const n of range.append(stored)) {
      if (!isStoredLevel(n.level)) continue;
      const s = nodes.get(nodeKey(n.level, n.index));
      if (!s || !bytesEqual(s, n.hash))
        return { type: "node", first: n.index * 2 ** n.level + 1, last: seq, level: n.level, missing: !s };
    }
    if (want.has(range.size)) snapshots.set(range.size, range.root());
    while (nextCp < cps.length && cps[nextCp]!.size === range.size) {
      const c = cps[nextCp]!;
      if (!bytesEqual(range.root(), c.root)) return { type: "checkpoint", size: c.size, lastGood };
      lastGood = c.size;
      nextCp++;
    }
    return null;
  };
}

/**
 * Batches from+1..to re-hashed by the worker pool, answered in seq order with one
 * batch per worker (and one more) in flight, so reading, hashing and folding overlap.
 */
async function* pooledBatches(par: ParallelScan, from: number, to: number, batch: number) {
  const inFlight: Array<{ asked: number; batch: Promise<LeafBatch> }> = [];
  let next = from;
  const ask = () => {
    const end = Math.min(to, next + batch);
    const leaves = par.pool.hashLeaves({ store: par.store, from: next, to: end });
    // Batches still in flight when the scan stops early are dropped: their failures must not go unhandled.
    leaves.catch(() => undefined);
    inFlight.push({ asked: end - next, batch: leaves });
    next = end;
  };
  while (next < to && inFlight.length < par.pool.size + 1) ask();
  while (inFlight.length) {
    const head = inFlight.shift()!;
    const b = await head.batch;
    if (next < to) ask();
    yield { ...b, asked: head.asked };
  }
}

/**
 * The clean stretch of a scan, hashed on every core: folds batch after batch until
 * the end, a failure of the tree, or a batch with a gap or a leaf that does not
 * match — which it leaves for the row-by-row scan to redo and name.
 */
async function scanPooled(par: ParallelScan, fold: Fold, from: number, to: number, batch: number, progress?: Progress) {
  let expected = from + 1;
  let failure: ScanFailure | null = null;
  const batches = pooledBatches(par, from, to, batch);
  try {
    for await (const b of batches) {
      if (b.bad.length || b.count < b.asked) break;
      for (let i = 0; i < b.count && !failure; i++) failure = fold(b.stored.subarray(i * 32, i * 32 + 32), expected++);
      progress?.(expected - 1 - from, to - from);
      if (failure) break;
    }
  } catch (e) {
    // A worker could not read or hash (a client that failed to load, a lost connection):
    // the row-by-row scan on this thread goes on from the first entry not yet folded.
    console.error(`[ledgerline] verification continues on one thread: ${(e as Error).message}`);
  } finally {
    await batches.return(undefined).catch(() => undefined);
  }
  return { expected, failure };
}

/**
 * Streams entries from+1..to in seq order onto `range` (the verified tree of
 * size `from`): recomputes each leaf from its columns, compares stored subtree
 * hashes and checkpoint roots. After the first failure it only keeps collecting
 * leaf mismatches (for telling a reorder or an insertion from a modification).
 */
export async function scan(
  db: SqlDriver,
  opts: {
    from: number;
    to: number;
    range: CompactRange;
    cps: Cp[];
    nodes: Map<string, Uint8Array>;
    rootAt?: number[];
    onProgress?: Progress;
    batch?: number;
    /** Recompute the leaf hashes of the clean stretch in the worker pool. */
    parallel?: ParallelScan;
  },
): Promise<ScanResult> {
  const range = opts.range;
  const batch = opts.batch ?? 5000;
  const cps = opts.cps.filter((c) => c.size > opts.from && c.size <= opts.to);
  const want = new Set(opts.rootAt ?? []);
  const snapshots = new Map<number, Uint8Array>();
  const mismatches: LeafMismatch[] = [];
  const fold = treeFolder(range, opts.nodes, cps, want, snapshots, opts.from);
  let failure: ScanFailure | null = null;
  let expected = opts.from + 1;
  if (opts.parallel && opts.parallel.pool.size > 0) {
    const p = await scanPooled(opts.parallel, fold, opts.from, opts.to, opts.parallel.batch ?? 20_000, opts.onProgress);
    ({ expected, failure } = p);
  }
  let checked = expected - 1 - opts.from;
  outer: while (expected <= opts.to) {
    const rows = await entriesFrom(db, expected, opts.to, batch);
    if (!rows.length) {
      failure ??= { type: "gap", seq: expected, next: 0 };
      break;
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        failure ??= { type: "gap", seq: expected, next: seq };
        break outer;
      }
      checked++;
      const stored = new Uint8Array(r.leaf_hash);
      let leaf: Uint8Array | null;
      try {
        // A pruned body cannot be rehashed; its receipt is checked after the scan (retention/verify-pruned.ts).
        leaf = r.pruned_by != null ? stored : rowLeafHash(r);
      } catch {
        leaf = null;
      }
      if (!leaf || !bytesEqual(leaf, stored)) {
        if (mismatches.length < MISMATCH_CAP) mismatches.push({ seq, row: r });
        failure ??= { type: "leaf", seq };
      }
      if (!failure) failure = fold(stored, seq);
      expected++;
    }
    opts.onProgress?.(expected - 1 - opts.from, opts.to - opts.from);
    if (failure && mismatches.length >= MISMATCH_CAP) break;
  }
  return { failure, mismatches, range, checked, snapshots };
}

/** Leaf hashes of entries start+1..end recomputed from their columns, or null when a row is missing or does not match its stored leaf hash. */
export async function recomputedLeaves(db: SqlDriver, start: number, end: number): Promise<Uint8Array[] | null> {
  const rows = await entriesFrom(db, start + 1, end, end - start);
  if (rows.length !== end - start) return null;
  const out: Uint8Array[] = [];
  for (const [i, r] of rows.entries()) {
    if (Number(r.seq) !== start + i + 1) return null;
    let leaf: Uint8Array;
    try {
      leaf = r.pruned_by != null ? new Uint8Array(r.leaf_hash) : rowLeafHash(r);
    } catch {
      return null;
    }
    if (!bytesEqual(leaf, new Uint8Array(r.leaf_hash))) return null;
    out.push(leaf);
  }
  return out;
}
