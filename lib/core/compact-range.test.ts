import { describe, expect, it } from "vitest";
import { LEAVES, SOME_HASH, root } from "@/test/support/merkle-vectors.ts";
import { toHex } from "./bytes.ts";
import { EMPTY_ROOT, defaultHasher, hashChildren, hashLeaf, type LogHasher } from "./hash.ts";
import {
  CompactRange,
  consistencyProof,
  inclusionProof,
  merkleRoot,
  perfectSubtrees,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

describe("CompactRange and perfectSubtrees", () => {
  it("decomposes sizes into perfect subtrees, leftmost first", () => {
    expect(perfectSubtrees(0)).toEqual([]);
    expect(perfectSubtrees(1)).toEqual([{ start: 0, end: 1 }]);
    expect(perfectSubtrees(8)).toEqual([{ start: 0, end: 8 }]);
    expect(perfectSubtrees(13)).toEqual([
      { start: 0, end: 8 },
      { start: 8, end: 12 },
      { start: 12, end: 13 },
    ]);
    // Beyond 32 bits, where bitwise operators would silently truncate.
    expect(perfectSubtrees(2 ** 40 + 3)).toEqual([
      { start: 0, end: 2 ** 40 },
      { start: 2 ** 40, end: 2 ** 40 + 2 },
      { start: 2 ** 40 + 2, end: 2 ** 40 + 3 },
    ]);
  });

  it("rejects a frontier with the wrong number or size of hashes", () => {
    expect(() => CompactRange.fromSubtrees(3, [SOME_HASH])).toThrow(/2 perfect subtrees/);
    expect(() => CompactRange.fromSubtrees(1, [new Uint8Array(31)])).toThrow(/32-byte/);
    expect(() => CompactRange.fromSubtrees(-1, [])).toThrow(/non-negative/);
    expect(() => CompactRange.empty().append(new Uint8Array(0))).toThrow(/32-byte/);
  });

  it("clone is independent and callers cannot mutate internal state", () => {
    const a = CompactRange.empty();
    a.append(LEAVES[0]!);
    const b = a.clone();
    b.append(LEAVES[1]!);
    expect(a.size).toBe(1);
    expect(toHex(a.root())).toBe(toHex(root(1)));
    expect(toHex(b.root())).toBe(toHex(root(2)));
    a.subtrees()[0]!.fill(0);
    a.root().fill(0);
    expect(toHex(a.root())).toBe(toHex(root(1)));
  });

  it("continues a large tree from its frontier without the old leaves", () => {
    // 2^40 + 1 leaves cannot be materialized; the frontier alone must be enough.
    const big = CompactRange.fromSubtrees(2 ** 40 + 1, [SOME_HASH, LEAVES[0]!]);
    const completed = big.append(LEAVES[1]!);
    expect(completed.map(({ level, index }) => [level, index])).toEqual([
      [0, 2 ** 40 + 1],
      [1, 2 ** 39],
    ]);
    expect(toHex(big.root())).toBe(toHex(hashChildren(SOME_HASH, hashChildren(LEAVES[0]!, LEAVES[1]!))));
  });

  it("appending a perfect subtree by its hash equals appending its leaves", () => {
    const leaves = Array.from({ length: 45 }, (_, i) => hashLeaf(new Uint8Array([i, i >> 8])));
    for (const level of [0, 1, 2, 3]) {
      const width = 2 ** level;
      const byLeaf = CompactRange.empty();
      const bySubtree = CompactRange.empty();
      for (let start = 0; start + width <= leaves.length; start += width) {
        const completed = leaves.slice(start, start + width).flatMap((l) => byLeaf.append(l));
        const got = bySubtree.appendSubtree(level, merkleRoot(leaves.slice(start, start + width)));
        // Everything the leaves completed at or above the subtree's level, in the same order.
        const want = completed.filter((n) => n.level >= level);
        expect(got.map((n) => [n.level, n.index, toHex(n.hash)])).toEqual(
          want.map((n) => [n.level, n.index, toHex(n.hash)]),
        );
        expect(toHex(bySubtree.root())).toBe(toHex(byLeaf.root()));
        expect(bySubtree.size).toBe(start + width);
      }
    }
  });

  it("refuses a subtree that does not start on its own boundary", () => {
    const r = CompactRange.empty();
    r.append(LEAVES[0]!);
    expect(() => r.appendSubtree(1, SOME_HASH)).toThrow(/cannot start at leaf 1/);
    expect(() => r.appendSubtree(-1, SOME_HASH)).toThrow(/invalid subtree level/);
    expect(r.size).toBe(1);
    r.append(LEAVES[1]!);
    expect(r.appendSubtree(1, SOME_HASH).map((n) => [n.level, n.index])).toEqual([
      [1, 1],
      [2, 0],
    ]);
  });
});

describe("the hasher parameter", () => {
  // A hasher that counts its calls and otherwise is the default: every function must use
  // the hasher it is given (the server passes Node's SHA-256), never a hidden global.
  function counting() {
    const calls = { leaf: 0, children: 0, empty: 0 };
    const hasher: LogHasher = {
      digest: (...parts) => defaultHasher.digest(...parts),
      hashLeaf: (d) => (calls.leaf++, defaultHasher.hashLeaf(d)),
      hashChildren: (l, r) => (calls.children++, defaultHasher.hashChildren(l, r)),
      emptyRoot: () => (calls.empty++, defaultHasher.emptyRoot()),
    };
    return { hasher, calls };
  }
  const leaves = Array.from({ length: 7 }, (_, i) => hashLeaf(Uint8Array.of(i)));

  it("builds roots and proofs with the given hasher", () => {
    const { hasher, calls } = counting();
    expect(merkleRoot(leaves, hasher)).toEqual(merkleRoot(leaves));
    expect(calls.children).toBe(6);
    expect(merkleRoot([], hasher)).toEqual(EMPTY_ROOT);
    expect(calls.empty).toBe(1);
    const proof = inclusionProof(3, leaves, hasher);
    const cons = consistencyProof(3, leaves, hasher);
    const before = calls.children;
    expect(verifyInclusion(3, 7, leaves[3]!, proof, merkleRoot(leaves), hasher)).toBe(true);
    expect(verifyConsistency(3, 7, merkleRoot(leaves.slice(0, 3)), merkleRoot(leaves), cons, hasher)).toBe(true);
    expect(rootFromInclusionProof(3, 7, leaves[3]!, proof, hasher)).toEqual(merkleRoot(leaves));
    expect(calls.children).toBeGreaterThan(before);
  });

  it("a CompactRange keeps its hasher through appends, roots and clones", () => {
    const { hasher, calls } = counting();
    const r = CompactRange.empty(hasher);
    expect(r.root()).toEqual(EMPTY_ROOT);
    for (const l of leaves) r.append(l);
    const c = r.clone();
    const n = calls.children;
    expect(c.root()).toEqual(merkleRoot(leaves));
    expect(calls.children).toBeGreaterThan(n);
    const restored = CompactRange.fromSubtrees(7, r.subtrees(), hasher);
    const m = calls.children;
    restored.append(leaves[0]!);
    expect(calls.children).toBeGreaterThan(m);
  });
});
