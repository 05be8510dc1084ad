import { defaultHasher, type LogHasher } from "./hash.ts";
import { assertCount, assertHash, half, isOdd, popCount } from "./tree-math.ts";

// The right edge of a growing RFC 9162 tree: what the sequencer and the verifiers keep
// instead of the leaves.

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

  /**
   * Appends a whole perfect subtree of 2^`level` leaves by its hash — what `append` of its
   * leaves one by one would reach, without them. The tree's size must be a multiple of
   * 2^`level` (the subtree starts on its own boundary). Returns the subtrees it completed
   * above `level`, bottom up, like `append`, starting with the appended one itself.
   */
  appendSubtree(level: number, hash: Uint8Array): Array<{ level: number; index: number; hash: Uint8Array }> {
    assertHash(hash, "subtree hash");
    if (!Number.isInteger(level) || level < 0 || level > 52) throw new Error(`invalid subtree level ${level}`);
    const width = 2 ** level;
    if (this.#size % width !== 0)
      throw new Error(`a subtree of ${width} leaves cannot start at leaf ${this.#size}: not on its boundary`);
    if (this.#size + width > Number.MAX_SAFE_INTEGER) throw new Error("tree size limit reached");
    let h: Uint8Array = hash.slice();
    let index = this.#size / width;
    const completed: Array<{ level: number; index: number; hash: Uint8Array }> = [{ level, index, hash: h.slice() }];
    for (let c = index; isOdd(c); c = half(c)) {
      h = this.#hasher.hashChildren(this.#hashes.pop()!, h);
      level += 1;
      index = half(index);
      completed.push({ level, index, hash: h.slice() });
    }
    this.#hashes.push(h);
    this.#size += width;
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
