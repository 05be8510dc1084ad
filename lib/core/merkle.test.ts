import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "./bytes.ts";
import { EMPTY_ROOT, defaultHasher, hashChildren, hashLeaf, sha256, type LogHasher } from "./hash.ts";
import {
  CompactRange,
  consistencyProof,
  consistencyProofFrom,
  inclusionProof,
  inclusionProofFrom,
  merkleRoot,
  perfectSubtrees,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type RangeHasher,
} from "./merkle.ts";

// Known-answer vectors: github.com/transparency-dev/merkle, proof/verify_test.go
// (`leaves`, `roots`, `inclusionProofs`, `consistencyProofs`; the same data as
// google/certificate-transparency's merkle tree tests). Inclusion vectors there use a
// 1-based leaf number; here they are converted to the 0-based leaf index.
const LEAF_DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
const LEAVES = LEAF_DATA.map((h) => hashLeaf(fromHex(h)));
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
].map(fromHex);
const root = (size: number): Uint8Array => ROOTS[size - 1]!;

const INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const CONSISTENCY: Array<{ m: number; n: number; proof: string[] }> = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  {
    m: 6,
    n: 7,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
];

// From the same file: an arbitrary 32-byte value and the empty-tree hash used as wrong roots.
const SOME_HASH = fromHex("abacaba000000000000000000000000000000000000000000060061e00123456");
const EMPTY_TREE_HASH = fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

const hex = (list: Uint8Array[]): string[] => list.map(toHex);

/** Reference MTH written straight from RFC 9162 §2.1.1, recursion and all. */
function referenceMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256(new Uint8Array(0));
  if (d.length === 1) return d[0]!;
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return hashChildren(referenceMth(d.slice(0, k)), referenceMth(d.slice(k)));
}

/** Reference PATH(m, D[n]) from RFC 9162 §2.1.3.1. */
function referencePath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceMth(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceMth(d.slice(0, k))];
}

/** Reference SUBPROOF(m, D[n], b) from RFC 9162 §2.1.4.1. */
function referenceSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [referenceMth(d)];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m <= k
    ? [...referenceSubproof(m, d.slice(0, k), b), referenceMth(d.slice(k))]
    : [...referenceSubproof(m - k, d.slice(k), false), referenceMth(d.slice(0, k))];
}

/** A RangeHasher over an in-memory array that records what it was asked for. */
function recordingHasher(leaves: Uint8Array[]): { hasher: RangeHasher; calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  const hasher: RangeHasher = async (start, end) => {
    calls.push([start, end]);
    await Promise.resolve(); // behave like storage: answer asynchronously
    return referenceMth(leaves.slice(start, end));
  };
  return { hasher, calls };
}

/** Deterministic pseudo-random leaf hashes (no clock, no Math.random: reproducible failures). */
function makeLeaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(sha256(Uint8Array.of(i & 0xff, i >> 8, 0x4c))));
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

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

// Proof shapes from transparency-dev/merkle proof/proof_test.go (TestInclusion,
// TestConsistency): node IDs id(level, index) written as leaf ranges
// [index·2^level, (index+1)·2^level), and each "rehash" group as the one range it hashes to.
describe("RangeHasher queries match the transparency-dev proof node layout", () => {
  const inclusionShapes: Array<[number, number, Array<[number, number]>]> = [
    [
      7,
      0,
      [
        [1, 2],
        [2, 4],
        [4, 7],
      ],
    ],
    [
      7,
      2,
      [
        [3, 4],
        [0, 2],
        [4, 7],
      ],
    ],
    [
      7,
      4,
      [
        [5, 6],
        [6, 7],
        [0, 4],
      ],
    ],
    [
      7,
      6,
      [
        [4, 6],
        [0, 4],
      ],
    ],
    [
      4,
      2,
      [
        [3, 4],
        [0, 2],
      ],
    ],
    [
      5,
      3,
      [
        [2, 3],
        [0, 2],
        [4, 5],
      ],
    ],
    [
      6,
      3,
      [
        [2, 3],
        [0, 2],
        [4, 6],
      ],
    ],
    [
      6,
      4,
      [
        [5, 6],
        [0, 4],
      ],
    ],
    [
      15,
      10,
      [
        [11, 12],
        [8, 10],
        [12, 15],
        [0, 8],
      ],
    ],
    [
      31,
      24,
      [
        [25, 26],
        [26, 28],
        [28, 31],
        [16, 24],
        [0, 16],
      ],
    ],
    [
      95,
      81,
      [
        [80, 81],
        [82, 84],
        [84, 88],
        [88, 95],
        [64, 80],
        [0, 64],
      ],
    ],
  ];
  it.each(inclusionShapes)("inclusion in size %i of index %i", async (size, index, want) => {
    const leaves = makeLeaves(size);
    const { hasher, calls } = recordingHasher(leaves);
    const proof = await inclusionProofFrom(index, size, hasher);
    expect(calls).toEqual(want);
    expect(hex(proof)).toEqual(hex(referencePath(index, leaves)));
  });

  const consistencyShapes: Array<[number, number, Array<[number, number]>]> = [
    [1, 2, [[1, 2]]],
    [
      1,
      4,
      [
        [1, 2],
        [2, 4],
      ],
    ],
    [
      1,
      6,
      [
        [1, 2],
        [2, 4],
        [4, 6],
      ],
    ],
    [2, 3, [[2, 3]]],
    [
      2,
      8,
      [
        [2, 4],
        [4, 8],
      ],
    ],
    [
      3,
      7,
      [
        [2, 3],
        [3, 4],
        [0, 2],
        [4, 7],
      ],
    ],
    [4, 7, [[4, 7]]],
    [
      5,
      7,
      [
        [4, 5],
        [5, 6],
        [6, 7],
        [0, 4],
      ],
    ],
    [
      6,
      7,
      [
        [4, 6],
        [6, 7],
        [0, 4],
      ],
    ],
    [
      7,
      8,
      [
        [6, 7],
        [7, 8],
        [4, 6],
        [0, 4],
      ],
    ],
    [2, 4, [[2, 4]]],
    [
      3,
      5,
      [
        [2, 3],
        [3, 4],
        [0, 2],
        [4, 5],
      ],
    ],
    [
      3,
      6,
      [
        [2, 3],
        [3, 4],
        [0, 2],
        [4, 6],
      ],
    ],
    [4, 6, [[4, 6]]],
    [
      1,
      7,
      [
        [1, 2],
        [2, 4],
        [4, 7],
      ],
    ],
    [
      10,
      15,
      [
        [8, 10],
        [10, 12],
        [12, 15],
        [0, 8],
      ],
    ],
    [
      24,
      31,
      [
        [16, 24],
        [24, 31],
        [0, 16],
      ],
    ],
    [
      81,
      95,
      [
        [80, 81],
        [81, 82],
        [82, 84],
        [84, 88],
        [88, 95],
        [64, 80],
        [0, 64],
      ],
    ],
  ];
  it.each(consistencyShapes)("consistency %i → %i", async (m, n, want) => {
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

describe("randomized cross-check, sizes 1..70", () => {
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
