import { bytesEqual } from "./bytes.ts";
import { defaultHasher, type LogHasher } from "./hash.ts";

// RFC 9162 §2.1 Merkle tree over leaf hashes (same algorithms as RFC 6962).
//
// Sizes and indices are plain numbers. Integer arithmetic uses / 2 and % 2 rather than the
// bitwise operators, which truncate to 32 bits: a long-lived log may pass 2^31 entries.

const HASH_SIZE = 32;

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

function assertCount(n: unknown, what: string): asserts n is number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

function assertHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new Error(`${what} must be a ${HASH_SIZE}-byte hash`);
  }
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** Largest power of two strictly below n (n >= 2): the RFC 9162 split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

function popCount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = half(x)) if (isOdd(x)) c++;
  return c;
}

/** MTH over hashes[start:end) by streaming them through a right-edge stack: O(n) hashes, O(log n) memory. */
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

function checkInclusionArgs(index: number, size: number): void {
  assertCount(index, "index");
  assertCount(size, "size");
  if (index >= size) throw new Error(`index ${index} is outside a tree of size ${size}`);
}

function checkConsistencyArgs(m: number, n: number): void {
  assertCount(m, "old size");
  assertCount(n, "new size");
  if (m > n) throw new Error(`old size ${m} is larger than new size ${n}`);
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

/**
 * Recomputes the root implied by an inclusion proof (RFC 9162 §2.1.3.2).
 * Invariant: throws when the input is malformed — index >= size, a hash that is not 32
 * bytes, or a proof of the wrong length for (index, size) — so a result is always the root
 * of a well-formed path; compare it with a trusted root yourself, or use verifyInclusion.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  hasher: LogHasher = defaultHasher,
): Uint8Array {
  checkInclusionArgs(index, size);
  assertHash(leafHash, "leaf hash");
  if (!Array.isArray(proof)) throw new Error("proof must be an array of hashes");
  proof.forEach((p, i) => assertHash(p, `proof[${i}]`));
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new Error("inclusion proof is longer than the tree is deep");
    if (isOdd(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      // Skip the levels where this node is the last one and has no right sibling.
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new Error("inclusion proof is shorter than the tree is deep");
  return r.slice();
}

/**
 * True iff `proof` proves that `leafHash` is leaf `index` of the tree of `size` leaves whose
 * root is `root` (RFC 9162 §2.1.3.2). Never throws: any malformed input is simply false.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
  hasher: LogHasher = defaultHasher,
): boolean {
  try {
    if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) return false;
    return bytesEqual(rootFromInclusionProof(index, size, leafHash, proof, hasher), root);
  } catch {
    return false;
  }
}

/**
 * True iff `proof` proves the tree of size `m` with root `oldRoot` is a prefix of the tree
 * of size `n` with root `newRoot` (RFC 9162 §2.1.4.2). m == n needs an empty proof and equal
 * roots; m == 0 is consistent with anything given an empty proof; m > n is false.
 * Never throws: any malformed input is simply false.
 */
export function verifyConsistency(
  m: number,
  n: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: Uint8Array[],
  hasher: LogHasher = defaultHasher,
): boolean {
  try {
    assertCount(m, "old size");
    assertCount(n, "new size");
    if (!Array.isArray(proof) || m > n) return false;
    if (m === n) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
    if (m === 0) return proof.length === 0;
    if (proof.length === 0) return false;
    assertHash(oldRoot, "old root");
    assertHash(newRoot, "new root");
    proof.forEach((p, i) => assertHash(p, `proof[${i}]`));

    // When the old tree is a perfect subtree of the new one its root is a node of the new
    // tree, so the proof omits it and the verifier supplies it.
    const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : proof;
    let fn = m - 1;
    let sn = n - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0]!;
    let sr = path[0]!;
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        fr = hasher.hashChildren(c, fr);
        sr = hasher.hashChildren(c, sr);
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        sr = hasher.hashChildren(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
  } catch {
    return false;
  }
}

/**
 * Binary decomposition of a tree of `size` leaves into perfect subtrees, leftmost (largest)
 * first: one range per set bit of `size`. These are the subtrees a CompactRange keeps.
 */
export function perfectSubtrees(size: number): Array<{ start: number; end: number }> {
  assertCount(size, "size");
  const out: Array<{ start: number; end: number }> = [];
  let p = 1;
  while (p * 2 <= size) p *= 2;
  let start = 0;
  for (; p >= 1; p /= 2) {
    if (size - start >= p) {
      out.push({ start, end: start + p });
      start += p;
    }
  }
  return out;
}

/**
 * The right edge ("frontier") of a growing RFC 9162 tree: one perfect-subtree hash per set
 * bit of `size`, largest (leftmost) first. Enough to append leaves and compute the root of
 * every size without storing the leaves. Instances are mutable only through `append`.
 */
export class CompactRange {
  #size: number;
  #hashes: Uint8Array[];
  readonly #hasher: LogHasher;

  private constructor(size: number, hashes: Uint8Array[], hasher: LogHasher) {
    this.#size = size;
    this.#hashes = hashes;
    this.#hasher = hasher;
  }

  /** The frontier of the empty tree; `hasher` hashes every append and root. */
  static empty(hasher: LogHasher = defaultHasher): CompactRange {
    return new CompactRange(0, [], hasher);
  }

  /**
   * Restores a frontier from its subtree hashes (as returned by `subtrees()`, i.e. the MTHs
   * of `perfectSubtrees(size)` in order). Throws unless there is exactly one 32-byte hash
   * per set bit of `size`.
   */
  static fromSubtrees(size: number, hashes: Uint8Array[], hasher: LogHasher = defaultHasher): CompactRange {
    assertCount(size, "size");
    if (!Array.isArray(hashes) || hashes.length !== popCount(size)) {
      throw new Error(
        `a tree of size ${size} has ${popCount(size)} perfect subtrees, got ${Array.isArray(hashes) ? hashes.length : "none"}`,
      );
    }
    hashes.forEach((h, i) => assertHash(h, `subtree hash ${i}`));
    return new CompactRange(
      size,
      hashes.map((h) => h.slice()),
      hasher,
    );
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash and returns every perfect subtree this append completed, bottom
   * up: level 0 is the leaf itself (index = its leaf index); level k covers leaves
   * [index·2^k, (index+1)·2^k). Callers persist these to answer RangeHasher queries later.
   */
  append(leafHash: Uint8Array): Array<{ level: number; index: number; hash: Uint8Array }> {
    assertHash(leafHash, "leaf hash");
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new Error("tree size limit reached");
    let h: Uint8Array = leafHash.slice();
    let level = 0;
    let index = this.#size;
    const completed: Array<{ level: number; index: number; hash: Uint8Array }> = [{ level, index, hash: h.slice() }];
    // Each trailing 1-bit of the old size is a left sibling waiting for this subtree.
    for (let c = this.#size; isOdd(c); c = half(c)) {
      h = this.#hasher.hashChildren(this.#hashes.pop()!, h);
      level += 1;
      index = half(index);
      completed.push({ level, index, hash: h.slice() });
    }
    this.#hashes.push(h);
    this.#size += 1;
    return completed;
  }

  /** RFC 9162 root of the tree of the current size; EMPTY_ROOT when empty. */
  root(): Uint8Array {
    if (this.#hashes.length === 0) return this.#hasher.emptyRoot();
    let r = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) r = this.#hasher.hashChildren(this.#hashes[i]!, r);
    return r.slice();
  }

  /** An independent copy. */
  clone(): CompactRange {
    return new CompactRange(
      this.#size,
      this.#hashes.map((h) => h.slice()),
      this.#hasher,
    );
  }

  /** Copies of the perfect-subtree hashes, largest (leftmost) first. */
  subtrees(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }
}
