import { describe, expect, it } from "vitest";
import {
  hex,
  makeLeaves,
  recordingHasher,
  referenceMth,
  referencePath,
  referenceSubproof,
} from "@/test/support/merkle-vectors.ts";
import { toHex } from "./bytes.ts";
import { EMPTY_ROOT } from "./hash.ts";
import {
  CompactRange,
  consistencyProof,
  consistencyProofFrom,
  inclusionProof,
  inclusionProofFrom,
  merkleRoot,
  perfectSubtrees,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// Every size up to 70, every index and every old size, against the RFC's recursive
// definitions. Seconds of hashing: a generous timeout, so a loaded machine is not a failure.

describe("randomized cross-check, sizes 1..70", { timeout: 120_000 }, () => {
  const MAX = 70;
  const leaves = makeLeaves(MAX);
  const roots = [EMPTY_ROOT, ...Array.from({ length: MAX }, (_, i) => referenceMth(leaves.slice(0, i + 1)))];

  it("merkleRoot and CompactRange.root agree with the RFC definition at every size", () => {
    const cr = CompactRange.empty();
    expect(toHex(cr.root())).toBe(toHex(EMPTY_ROOT));
    for (let n = 1; n <= MAX; n++) {
      const completed = cr.append(leaves[n - 1]!);
      expect(cr.size).toBe(n);
      expect(toHex(merkleRoot(leaves.slice(0, n)))).toBe(toHex(roots[n]!));
      expect(toHex(cr.root())).toBe(toHex(roots[n]!));
      // Every reported node is the MTH of the perfect subtree it names, bottom up.
      expect(completed[0]).toMatchObject({ level: 0, index: n - 1 });
      completed.forEach((node, i) => {
        expect(node.level).toBe(i);
        const width = 2 ** node.level;
        expect(toHex(node.hash)).toBe(toHex(referenceMth(leaves.slice(node.index * width, (node.index + 1) * width))));
      });
      // One completed node per trailing 1-bit of the old size, plus the leaf itself.
      let trailing = 0;
      for (let c = n - 1; c % 2 === 1; c = Math.floor(c / 2)) trailing++;
      expect(completed).toHaveLength(trailing + 1);
      // The frontier is exactly the MTHs of the binary decomposition, and round-trips.
      const ranges = perfectSubtrees(n);
      expect(hex(cr.subtrees())).toEqual(ranges.map((r) => toHex(referenceMth(leaves.slice(r.start, r.end)))));
      const restored = CompactRange.fromSubtrees(n, cr.subtrees());
      expect(restored.size).toBe(n);
      expect(toHex(restored.root())).toBe(toHex(roots[n]!));
    }
  });

  it("every inclusion proof (array and RangeHasher) matches the RFC definition and verifies", async () => {
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      const { hasher, calls } = recordingHasher(tree);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, tree);
        expect(hex(proof)).toEqual(hex(referencePath(i, tree)));
        expect(hex(await inclusionProofFrom(i, n, hasher))).toEqual(hex(proof));
        expect(verifyInclusion(i, n, tree[i]!, proof, roots[n]!)).toBe(true);
        if (n > 1) {
          expect(verifyInclusion((i + 1) % n, n, tree[i]!, proof, roots[n]!)).toBe(false);
          expect(verifyInclusion(i, n, tree[(i + 1) % n]!, proof, roots[n]!)).toBe(false);
        }
      }
      // Storage only ever gets aligned perfect subtrees or ranges ending at the tree size.
      for (const [s, e] of calls) {
        const w = e - s;
        const perfect = (w & (w - 1)) === 0 && s % w === 0;
        expect(perfect || e === n).toBe(true);
      }
    }
  });

  it("every consistency proof m <= n (array and RangeHasher) matches the RFC definition and verifies", async () => {
    for (let n = 1; n <= MAX; n++) {
      const tree = leaves.slice(0, n);
      const { hasher, calls } = recordingHasher(tree);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, tree);
        const want = m === 0 || m === n ? [] : referenceSubproof(m, tree, true);
        expect(hex(proof)).toEqual(hex(want));
        expect(hex(await consistencyProofFrom(m, n, hasher))).toEqual(hex(proof));
        expect(verifyConsistency(m, n, roots[m]!, roots[n]!, proof)).toBe(true);
        if (m > 0 && m < n) {
          expect(verifyConsistency(m, n, roots[m - 1]!, roots[n]!, proof)).toBe(false);
          expect(verifyConsistency(m, n, roots[m]!, roots[n - 1]!, proof)).toBe(false);
          expect(verifyConsistency(m, n, roots[m]!, roots[n]!, proof.slice(1))).toBe(false);
        }
      }
      for (const [s, e] of calls) {
        const w = e - s;
        const perfect = (w & (w - 1)) === 0 && s % w === 0;
        expect(perfect || e === n).toBe(true);
      }
    }
  });
});
