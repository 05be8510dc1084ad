import { bytesEqual } from "./bytes.ts";
import { defaultHasher, type LogHasher } from "./hash.ts";
import {
  HASH_SIZE,
  assertCount,
  assertHash,
  checkInclusionArgs,
  climbRightEdge,
  half,
  isOdd,
  isPowerOfTwo,
} from "./tree-math.ts";

// RFC 9162 §2.1.3.2 and §2.1.4.2: checking inclusion and consistency proofs against roots.

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
      [fn, sn] = climbRightEdge(fn, sn);
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
        [fn, sn] = climbRightEdge(fn, sn);
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
