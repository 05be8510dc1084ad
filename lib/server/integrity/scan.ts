import "server-only";
import { CompactRange, bytesEqual } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { rowLeafHash } from "../ledger/entry.ts";
import { entriesFrom } from "../ledger/store/entries.ts";
import { nodeKey } from "../ledger/store/nodes.ts";
import { NODE_LEVEL_STEP, isStoredLevel } from "../ledger/tree.ts";
import type { BatchTree, LeafBatch, Marks, StoreLocation } from "../workers/leaf-task.ts";
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
  /** Pruned rows and kept rows with commitments among those checked: what the receipt checks must then visit. */
  marks: Marks;
};

/** The worker pool and the store its threads read from: leaf hashes are recomputed on every core. */
export type ParallelScan = {
  pool: WorkerPool;
  store: StoreLocation;
  /**
   * Entries per worker task (default 16 384: per-task costs vanish, a few MiB of rows per thread;
   * a power of two, so each batch is a perfect subtree the worker folds itself).
   */
  batch?: number;
};

/** Folds one verified leaf (its stored hash, its seq) onto the tree; the first failure, else null. */
type Fold = (stored: Uint8Array, seq: number) => ScanFailure | null;

/**
 * Folds a whole batch folded by a worker (leaf-task.ts BatchTree) onto the tree: true when
 * every stored node and every checkpoint root in it checks out, and the tree then stands at its
 * end; false, with nothing changed, for the leaf-by-leaf scan to redo the batch and name what failed.
 */
type BatchFold = (tree: BatchTree) => boolean;

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
): { leaf: Fold; batch: BatchFold } {
  let nextCp = 0;
  let lastGood = from;
  const nodeOk = (level: number, index: number, hash: Uint8Array) => {
    if (!isStoredLevel(level)) return true;
    const s = nodes.get(nodeKey(level, index));
    return !!s && bytesEqual(s, hash);
  };
  const leaf: Fold = (stored, seq) => {
    for (const n of range.append(stored)) {
      if (nodeOk(n.level, n.index, n.hash)) continue;
      const missing = !nodes.get(nodeKey(n.level, n.index));
      return { type: "node", first: n.index * 2 ** n.level + 1, last: seq, level: n.level, missing };
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
  const batch: BatchFold = (tree) => {
    // Checked first on copies, applied only when all of it holds.
    for (const n of tree.nodes)
      for (let i = 0; i < n.hashes.length / 32; i++)
        if (!nodeOk(n.level, n.first + i, n.hashes.subarray(i * 32, i * 32 + 32))) return false;
    const end = range.clone();
    for (const t of tree.subtrees)
      for (const n of end.appendSubtree(t.level, t.hash)) if (!nodeOk(n.level, n.index, n.hash)) return false;
    let cp = nextCp;
    let good = lastGood;
    const roots = new Map<number, Uint8Array>();
    for (const cut of tree.cuts) {
      const at = range.clone();
      for (const t of cut.subtrees) at.appendSubtree(t.level, t.hash);
      if (at.size !== cut.size) return false;
      const root = at.root();
      if (want.has(cut.size)) roots.set(cut.size, root);
      while (cp < cps.length && cps[cp]!.size === cut.size) {
        if (!bytesEqual(root, cps[cp]!.root)) return false;
        good = cut.size;
        cp++;
      }
    }
    // A checkpoint inside the batch that no cut reached was not checked: leave it to the leaves.
    if (cp < cps.length && cps[cp]!.size <= end.size) return false;
    for (const t of tree.subtrees) range.appendSubtree(t.level, t.hash);
    for (const [size, root] of roots) snapshots.set(size, root);
    nextCp = cp;
    lastGood = good;
    return true;
  };
  return { leaf, batch };
}

/**
 * Batches from+1..to re-hashed by the worker pool, answered in seq order with one
 * batch per worker (and one more) in flight, so reading, hashing and folding overlap.
 * With `cuts` (batches on their own power-of-two boundary) the workers also fold each
 * batch into its subtrees and the roots at those tree sizes.
 */
async function* pooledBatches(par: ParallelScan, from: number, to: number, batch: number, cuts: number[] | null) {
  const inFlight: Array<{ asked: number; batch: Promise<LeafBatch> }> = [];
  let next = from;
  const ask = () => {
    const end = Math.min(to, next + batch);
    const fold = cuts && { cuts: cuts.filter((c) => c > next && c <= end), nodeStep: NODE_LEVEL_STEP };
    const leaves = par.pool.hashLeaves({ store: par.store, from: next, to: end, ...(fold && { fold }) });
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

/** Whether `n` is a power of two: the batch size with which workers fold whole subtrees. */
const powerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * The clean stretch of a scan, hashed on every core: folds batch after batch until
 * the end, a failure of the tree, or a batch with a gap or a leaf that does not
 * match — which it leaves for the row-by-row scan to redo and name. Batches of a
 * power of two starting on their boundary come folded into subtrees by the workers
 * (the scan's own thread then does a few hashes a batch instead of one a leaf).
 */
async function scanPooled(
  par: ParallelScan,
  folder: { leaf: Fold; batch: BatchFold },
  from: number,
  to: number,
  batch: number,
  cuts: number[],
  progress?: Progress,
) {
  let expected = from + 1;
  let failure: ScanFailure | null = null;
  const marks: Marks = { pruned: 0, committed: 0 };
  const folded = powerOfTwo(batch) && from % batch === 0;
  const batches = pooledBatches(par, from, to, batch, folded ? cuts : null);
  try {
    for await (const b of batches) {
      if (b.bad.length || b.count < b.asked) break;
      if (b.tree) {
        if (!folder.batch(b.tree)) break;
        expected += b.count;
      } else {
        if (folded) break; // asked for a fold and got none: a worker of another version
        for (let i = 0; i < b.count && !failure; i++)
          failure = folder.leaf(b.stored.subarray(i * 32, i * 32 + 32), expected++);
      }
      // Counted once a batch is folded: one handed back to the row-by-row scan is counted there.
      marks.pruned += b.marks.pruned;
      marks.committed += b.marks.committed;
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
  return { expected, failure, marks };
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
  const folder = treeFolder(range, opts.nodes, cps, want, snapshots, opts.from);
  let failure: ScanFailure | null = null;
  let expected = opts.from + 1;
  let marks: Marks = { pruned: 0, committed: 0 };
  if (opts.parallel && opts.parallel.pool.size > 0) {
    const cuts = [...new Set([...cps.map((c) => c.size), ...want])].sort((a, b) => a - b);
    const p = await scanPooled(
      opts.parallel,
      folder,
      opts.from,
      opts.to,
      opts.parallel.batch ?? 16_384,
      cuts,
      opts.onProgress,
    );
    ({ expected, failure, marks } = p);
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
      if (r.pruned_by != null) marks.pruned++;
      else if (r.personal != null) marks.committed++;
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
      if (!failure) failure = folder.leaf(stored, seq);
      expected++;
    }
    opts.onProgress?.(expected - 1 - opts.from, opts.to - opts.from);
    if (failure && mismatches.length >= MISMATCH_CAP) break;
  }
  return { failure, mismatches, range, checked, snapshots, marks };
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
