import { describe, expect, it } from "vitest";
import {
  CONSISTENCY,
  CONSISTENCY_SHAPES,
  EMPTY_TREE_HASH,
  INCLUSION,
  INCLUSION_SHAPES,
  LEAVES,
  ROOTS,
  SOME_HASH,
  flipBit,
  hex,
  makeLeaves,
  recordingHasher,
  referencePath,
  referenceSubproof,
  root,
} from "@/test/support/merkle-vectors.ts";
import { fromHex, toHex } from "./bytes.ts";
import { EMPTY_ROOT, hashLeaf } from "./hash.ts";
import {
  consistencyProof,
  consistencyProofFrom,
  inclusionProof,
  inclusionProofFrom,
  merkleRoot,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// Known-answer vectors (transparency-dev/merkle, in test/support/merkle-vectors.ts) for
// roots, proof generation and verification, and the node layout of storage-backed proofs.
// Randomized cross-checks: merkle.property.test.ts; the compact range: compact-range.test.ts.

describe("merkleRoot (RFC 9162 §2.1.1)", () => {
  it("is SHA-256 of the empty string for the empty tree", () => {
    expect(toHex(merkleRoot([]))).toBe(toHex(EMPTY_TREE_HASH));
    expect(toHex(merkleRoot([]))).toBe(toHex(EMPTY_ROOT));
  });

  it.each(ROOTS.map((r, i) => [i + 1, toHex(r)] as const))(
    "matches the known root of the first %i leaves",
    (size, want) => {
      expect(toHex(merkleRoot(LEAVES.slice(0, size)))).toBe(want);
    },
  );

  it("rejects leaf hashes that are not 32 bytes", () => {
    expect(() => merkleRoot([new Uint8Array(31)])).toThrow(/32-byte/);
  });
});

describe("inclusion proofs — known answers", () => {
  it.each(INCLUSION)(
    "leaf index $index of size $size: generated, verified, root recomputed",
    async ({ index, size, proof }) => {
      const leaves = LEAVES.slice(0, size);
      expect(hex(inclusionProof(index, leaves))).toEqual(proof);
      expect(hex(await inclusionProofFrom(index, size, recordingHasher(leaves).hasher))).toEqual(proof);
      const p = proof.map(fromHex);
      expect(toHex(rootFromInclusionProof(index, size, LEAVES[index]!, p))).toBe(toHex(root(size)));
      expect(verifyInclusion(index, size, LEAVES[index]!, p, root(size))).toBe(true);
    },
  );

  // Port of corruptInclusionProof from transparency-dev/merkle proof/verify_test.go, plus
  // every single-bit flip of every proof element, of the leaf hash and of the root.
  it.each(INCLUSION.filter((v) => v.size > 1).map((v) => [v.index, v.size, v.proof] as const))(
    "leaf index %i of size %i: every corruption is rejected",
    (index, size, proof) => {
      const p = proof.map(fromHex);
      const leaf = LEAVES[index]!;
      const r = root(size);
      const probes: Array<[string, number, number, Uint8Array, Uint8Array[], Uint8Array]> = [
        ["index - 1", index - 1, size, leaf, p, r],
        ["index + 1", index + 1, size, leaf, p, r],
        ["index ^ 2", index ^ 2, size, leaf, p, r],
        ["size * 2", index, size * 2, leaf, p, r],
        ["size / 2", index, Math.floor(size / 2), leaf, p, r],
        ["wrong leaf", index, size, new TextEncoder().encode("WrongLeaf"), p, r],
        ["empty root", index, size, leaf, p, EMPTY_TREE_HASH],
        ["random root", index, size, leaf, p, SOME_HASH],
        ["trailing garbage", index, size, leaf, [...p, new Uint8Array(0)], r],
        ["trailing root", index, size, leaf, [...p, r], r],
        ["preceding garbage", index, size, leaf, [new Uint8Array(0), ...p], r],
        ["preceding root", index, size, leaf, [r, ...p], r],
        ["removed component", index, size, leaf, p.slice(0, -1), r],
        ["inserted component", index, size, leaf, [p[0]!, SOME_HASH, ...p.slice(1)], r],
      ];
      if (p.length > 1) probes.push(["reversed", index, size, leaf, [...p].reverse(), r]);
      for (let i = 0; i < p.length; i++) {
        for (let bit = 0; bit < 256; bit++) {
          const q = [...p];
          q[i] = flipBit(p[i]!, bit);
          probes.push([`proof[${i}] bit ${bit}`, index, size, leaf, q, r]);
        }
      }
      for (let bit = 0; bit < 256; bit++) {
        probes.push([`leaf bit ${bit}`, index, size, flipBit(leaf, bit), p, r]);
        probes.push([`root bit ${bit}`, index, size, leaf, p, flipBit(r, bit)]);
      }
      const accepted = probes.filter(([, i, s, l, q, rr]) => verifyInclusion(i, s, l, q, rr)).map(([d]) => d);
      expect(accepted).toEqual([]);
    },
  );
});

describe("inclusion proofs — rejected input", () => {
  it("accepts the single-entry tree only when leaf and root agree (TestVerifyInclusionSingleEntry)", () => {
    const h = hashLeaf(new TextEncoder().encode("data"));
    expect(verifyInclusion(0, 1, h, [], h)).toBe(true);
    expect(verifyInclusion(0, 1, new Uint8Array(0), [], h)).toBe(false);
    expect(verifyInclusion(0, 1, h, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(0, 1, new Uint8Array(0), [], new Uint8Array(0))).toBe(false);
  });

  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 1],
  ])("rejects index %i in size %i with mismatched leaf/root (TestVerifyInclusion)", (index, size) => {
    expect(verifyInclusion(index, size, SOME_HASH, [], new Uint8Array(0))).toBe(false);
    expect(verifyInclusion(index, size, new Uint8Array(0), [], EMPTY_TREE_HASH)).toBe(false);
    expect(verifyInclusion(index, size, SOME_HASH, [], EMPTY_TREE_HASH)).toBe(false);
  });

  it("never throws on nonsense input, and rootFromInclusionProof throws on malformed input", () => {
    const bad: unknown[][] = [
      [-1, 8, LEAVES[0], [], root(8)],
      [0.5, 8, LEAVES[0], [], root(8)],
      [Number.NaN, 8, LEAVES[0], [], root(8)],
      [0, Number.POSITIVE_INFINITY, LEAVES[0], [], root(8)],
      [0, 8, "leaf", [], root(8)],
      [0, 8, LEAVES[0], "proof", root(8)],
      [0, 8, LEAVES[0], [null], root(8)],
      [0, 8, LEAVES[0], [], null],
    ];
    for (const args of bad) {
      expect(verifyInclusion(...(args as Parameters<typeof verifyInclusion>))).toBe(false);
    }
    expect(() => rootFromInclusionProof(8, 8, LEAVES[0]!, [])).toThrow(/outside/);
    expect(() => rootFromInclusionProof(0, 8, LEAVES[0]!, [])).toThrow(/shorter/);
    expect(() => rootFromInclusionProof(0, 1, LEAVES[0]!, [SOME_HASH])).toThrow(/longer/);
    expect(() => rootFromInclusionProof(0, 2, LEAVES[0]!, [new Uint8Array(3)])).toThrow(/32-byte/);
    expect(() => inclusionProof(3, LEAVES.slice(0, 3))).toThrow(/outside/);
    expect(() => inclusionProof(0, [])).toThrow(/outside/);
  });
});

describe("consistency proofs — known answers", () => {
  it.each(CONSISTENCY)("$m → $n: generated and verified", async ({ m, n, proof }) => {
    const leaves = LEAVES.slice(0, n);
    expect(hex(consistencyProof(m, leaves))).toEqual(proof);
    expect(hex(await consistencyProofFrom(m, n, recordingHasher(leaves).hasher))).toEqual(proof);
    expect(verifyConsistency(m, n, root(m), root(n), proof.map(fromHex))).toBe(true);
  });

  // Port of corruptConsistencyProof from transparency-dev/merkle proof/verify_test.go, plus
  // every single-bit flip of every proof element and of both roots.
  it.each(CONSISTENCY.filter((v) => v.proof.length > 0))("$m → $n: every corruption is rejected", ({ m, n, proof }) => {
    const p = proof.map(fromHex);
    const r1 = root(m);
    const r2 = root(n);
    const wrongRoot = new TextEncoder().encode("WrongRoot");
    const probes: Array<[string, number, number, Uint8Array, Uint8Array, Uint8Array[]]> = [
      ["m - 1", m - 1, n, r1, r2, p],
      ["m + 1", m + 1, n, r1, r2, p],
      ["m ^ 2", m ^ 2, n, r1, r2, p],
      ["n * 2", m, n * 2, r1, r2, p],
      ["n / 2", m, Math.floor(n / 2), r1, r2, p],
      ["wrong root1", m, n, wrongRoot, r2, p],
      ["wrong root2", m, n, r1, wrongRoot, p],
      ["swapped roots", m, n, r2, r1, p],
      ["empty proof", m, n, r1, r2, []],
      ["trailing garbage", m, n, r1, r2, [...p, new Uint8Array(0)]],
      ["trailing root1", m, n, r1, r2, [...p, r1]],
      ["trailing root2", m, n, r1, r2, [...p, r2]],
      ["preceding garbage", m, n, r1, r2, [new Uint8Array(0), ...p]],
      ["preceding root1", m, n, r1, r2, [r1, ...p]],
      ["preceding root2", m, n, r1, r2, [r2, ...p]],
      ["preceding proof[0]", m, n, r1, r2, [p[0]!, ...p]],
      ["truncated proof", m, n, r1, r2, p.slice(0, -1)],
    ];
    if (p.length > 1) probes.push(["reversed", m, n, r1, r2, [...p].reverse()]);
    for (let i = 0; i < p.length; i++) {
      for (let bit = 0; bit < 256; bit++) {
        const q = [...p];
        q[i] = flipBit(p[i]!, bit);
        probes.push([`proof[${i}] bit ${bit}`, m, n, r1, r2, q]);
      }
    }
    for (let bit = 0; bit < 256; bit++) {
      probes.push([`root1 bit ${bit}`, m, n, flipBit(r1, bit), r2, p]);
      probes.push([`root2 bit ${bit}`, m, n, r1, flipBit(r2, bit), p]);
    }
    const accepted = probes.filter(([, a, b, x, y, q]) => verifyConsistency(a, b, x, y, q)).map(([d]) => d);
    expect(accepted).toEqual([]);
  });
});

describe("consistency proofs — rejected input", () => {
  // TestVerifyConsistency's table of trivial and invalid size combinations.
  const careless1 = new TextEncoder().encode("don't care 1");
  const careless2 = new TextEncoder().encode("don't care 2");
  it.each([
    [0, 0, careless1, careless2, [], false],
    [1, 1, careless1, careless2, [], false],
    [0, 0, careless1, careless1, [], true],
    [0, 1, careless1, careless2, [], true],
    [1, 1, careless2, careless2, [], true],
    [1, 0, careless1, careless2, [], false],
    [2, 1, careless1, careless2, [], false],
    [1, 2, careless1, careless2, [], false],
    [0, 0, EMPTY_TREE_HASH, careless2, [], false],
    [1, 1, EMPTY_TREE_HASH, careless2, [], false],
    [0, 0, EMPTY_TREE_HASH, EMPTY_TREE_HASH, [EMPTY_TREE_HASH], false],
    [0, 1, EMPTY_TREE_HASH, EMPTY_TREE_HASH, [EMPTY_TREE_HASH], false],
    [1, 1, EMPTY_TREE_HASH, EMPTY_TREE_HASH, [EMPTY_TREE_HASH], false],
  ] as const)("sizes %i → %i (case %#) → %s", (m, n, r1, r2, proof, want) => {
    expect(verifyConsistency(m, n, r1, r2, [...proof])).toBe(want);
  });

  it("never throws on nonsense input; generation rejects m > n", async () => {
    expect(verifyConsistency(-1, 8, root(1), root(8), [])).toBe(false);
    expect(verifyConsistency(1, 8, root(1), root(8), "x" as unknown as Uint8Array[])).toBe(false);
    expect(verifyConsistency(1, 8, root(1), root(8), [null as unknown as Uint8Array])).toBe(false);
    expect(verifyConsistency(1, 8, null as unknown as Uint8Array, root(8), [SOME_HASH])).toBe(false);
    expect(() => consistencyProof(9, LEAVES)).toThrow(/larger/);
    await expect(consistencyProofFrom(9, 8, recordingHasher(LEAVES).hasher)).rejects.toThrow(/larger/);
    expect(consistencyProof(0, LEAVES)).toEqual([]);
    expect(consistencyProof(8, LEAVES)).toEqual([]);
  });
});

describe("RangeHasher queries match the transparency-dev proof node layout", () => {
  it.each(INCLUSION_SHAPES)("inclusion in size %i of index %i", async (size, index, want) => {
    const leaves = makeLeaves(size);
    const { hasher, calls } = recordingHasher(leaves);
    const proof = await inclusionProofFrom(index, size, hasher);
    expect(calls).toEqual(want);
    expect(hex(proof)).toEqual(hex(referencePath(index, leaves)));
  });

  it.each(CONSISTENCY_SHAPES)("consistency %i → %i", async (m, n, want) => {
    const leaves = makeLeaves(n);
    const { hasher, calls } = recordingHasher(leaves);
    const proof = await consistencyProofFrom(m, n, hasher);
    expect(calls).toEqual(want);
    expect(hex(proof)).toEqual(hex(referenceSubproof(m, leaves, true)));
  });

  it("rejects a RangeHasher answer that is not a 32-byte hash", async () => {
    await expect(inclusionProofFrom(0, 8, () => new Uint8Array(5))).rejects.toThrow(/32-byte/);
    await expect(consistencyProofFrom(3, 8, async () => "nope" as unknown as Uint8Array)).rejects.toThrow(/32-byte/);
  });
});
