import { defaultHasher, type LogHasher } from "./hash.ts";

// RFC 9162 §2.1 Merkle tree over leaf hashes (same algorithms as RFC 6962).
//
// Sizes and indices are plain numbers. Integer arithmetic uses / 2 and % 2 rather than the
// bitwise operators, which truncate to 32 bits: a long-lived log may pass 2^31 entries.

import { assertHash, checkConsistencyArgs, checkInclusionArgs, half, isOdd, splitPoint } from "./tree-math.ts";

// Proof generation here; verification in merkle-verify.ts, the compact range in
// compact-range.ts (re-exported, so callers import the tree from one place).
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./merkle-verify.ts";
export { CompactRange, perfectSubtrees } from "./compact-range.ts";

/**
 * Returns MTH(leaves[start:end)) — the RFC 9162 root of the subtree holding leaves
 * start..end-1 — with end > start. A storage-backed implementation is only ever asked for
 * ranges that are either an aligned perfect subtree ([i·2^k, (i+1)·2^k)) or that end at the
 * tree size the proof is for, so it can answer from stored subtree nodes and the right edge.
 */
export type RangeHasher = (start: number, end: number) => Uint8Array | Promise<Uint8Array>;

interface Range {
  start: number;
  end: number;
}

function foldRange(hashes: readonly Uint8Array[], start: number, end: number, hasher: LogHasher): Uint8Array {
  if (end <= start) return hasher.emptyRoot();
  const stack: Uint8Array[] = [];
  for (let i = start; i < end; i++) {
    let h = hashes[i]!;
    for (let c = i - start; isOdd(c); c = half(c)) h = hasher.hashChildren(stack.pop()!, h);
    stack.push(h);
  }
  let root = stack.pop()!;
  while (stack.length > 0) root = hasher.hashChildren(stack.pop()!, root);
  return root;
}

function assertLeaves(leaves: readonly Uint8Array[]): void {
  if (!Array.isArray(leaves)) throw new Error("leaves must be an array of leaf hashes");
  leaves.forEach((h, i) => assertHash(h, `leaf hash ${i}`));
}

/** RFC 9162 PATH(m, D[n]) as the list of subtree ranges whose MTHs form the proof, leaf first. */
function inclusionRanges(index: number, size: number): Range[] {
  const topDown: Range[] = [];
  let start = 0;
  let end = size;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      m -= k;
      start += k;
    }
  }
  return topDown.reverse();
}

/** RFC 9162 SUBPROOF(m, D[n], true) as subtree ranges, in proof order. Requires 0 < m < n. */
function consistencyRanges(m: number, n: number): Range[] {
  const topDown: Range[] = [];
  let start = 0;
  let end = n;
  let rest = m;
  let completeSubtree = true; // the RFC's flag b: old tree is a complete subtree of this one
  for (;;) {
    if (rest === end - start) {
      if (!completeSubtree) topDown.push({ start, end });
      break;
    }
    const k = splitPoint(end - start);
    if (rest <= k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      rest -= k;
      start += k;
      completeSubtree = false;
    }
  }
  return topDown.reverse();
}

async function hashRanges(ranges: Range[], rangeHash: RangeHasher): Promise<Uint8Array[]> {
  // All requested at once so a storage-backed hasher can run its reads concurrently.
  const hashes = await Promise.all(ranges.map((r) => rangeHash(r.start, r.end)));
  hashes.forEach((h, i) => assertHash(h, `rangeHash(${ranges[i]!.start}, ${ranges[i]!.end})`));
  return hashes.map((h) => h.slice());
}

/**
 * RFC 9162 Merkle tree hash over leaf hashes (not raw data); EMPTY_ROOT for [].
 * Invariant: every element must be a 32-byte hash, else throws.
 */
export function merkleRoot(leaves: Uint8Array[], hasher: LogHasher = defaultHasher): Uint8Array {
  assertLeaves(leaves);
  return foldRange(leaves, 0, leaves.length, hasher);
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof (audit path) for leaf `index` in the tree of all
 * `leaves`, ordered from the leaf's sibling upward. Throws if index >= leaves.length.
 */
export function inclusionProof(index: number, leaves: Uint8Array[], hasher: LogHasher = defaultHasher): Uint8Array[] {
  assertLeaves(leaves);
  checkInclusionArgs(index, leaves.length);
  return inclusionRanges(index, leaves.length).map((r) => foldRange(leaves, r.start, r.end, hasher));
}

/**
 * Same proof as `inclusionProof(index, leaves[0:size))`, but every subtree hash comes from
 * `rangeHash`, so the caller never has to materialize all leaves. Rejects (throws) when the
 * arguments are out of range or the hasher returns something other than a 32-byte hash.
 */
export async function inclusionProofFrom(index: number, size: number, rangeHash: RangeHasher): Promise<Uint8Array[]> {
  checkInclusionArgs(index, size);
  return hashRanges(inclusionRanges(index, size), rangeHash);
}

/**
 * RFC 9162 §2.1.4.1 consistency proof PROOF(m, D[n]) from the tree of the first `m` leaves
 * to the tree of all `leaves`. Empty when m == 0 or m == n. Throws if m > leaves.length.
 */
export function consistencyProof(m: number, leaves: Uint8Array[], hasher: LogHasher = defaultHasher): Uint8Array[] {
  assertLeaves(leaves);
  checkConsistencyArgs(m, leaves.length);
  if (m === 0 || m === leaves.length) return [];
  return consistencyRanges(m, leaves.length).map((r) => foldRange(leaves, r.start, r.end, hasher));
}

/** Same proof as `consistencyProof(m, leaves[0:n))`, with subtree hashes from `rangeHash`. */
export async function consistencyProofFrom(m: number, n: number, rangeHash: RangeHasher): Promise<Uint8Array[]> {
  checkConsistencyArgs(m, n);
  if (m === 0 || m === n) return [];
  return hashRanges(consistencyRanges(m, n), rangeHash);
}
