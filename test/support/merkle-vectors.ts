// RFC 9162 test material for lib/core's Merkle tests: transparency-dev/merkle's known
// answers, reference implementations written straight from the RFC, and helpers.
import { fromHex, toHex } from "@/lib/core/bytes.ts";
import { hashChildren, hashLeaf, sha256 } from "@/lib/core/hash.ts";
import type { RangeHasher } from "@/lib/core/merkle.ts";

// Known-answer vectors: github.com/transparency-dev/merkle, proof/verify_test.go
// (`leaves`, `roots`, `inclusionProofs`, `consistencyProofs`; the same data as
// google/certificate-transparency's merkle tree tests). Inclusion vectors there use a
// 1-based leaf number; here they are converted to the 0-based leaf index.
export const LEAF_DATA = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
];
export const LEAVES = LEAF_DATA.map((h) => hashLeaf(fromHex(h)));
export const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
].map(fromHex);
export const root = (size: number): Uint8Array => ROOTS[size - 1]!;

export const INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
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

export const CONSISTENCY: Array<{ m: number; n: number; proof: string[] }> = [
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
export const SOME_HASH = fromHex("abacaba000000000000000000000000000000000000000000060061e00123456");
export const EMPTY_TREE_HASH = fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

export const hex = (list: Uint8Array[]): string[] => list.map(toHex);

/** Reference MTH written straight from RFC 9162 §2.1.1, recursion and all. */
export function referenceMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha256(new Uint8Array(0));
  if (d.length === 1) return d[0]!;
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return hashChildren(referenceMth(d.slice(0, k)), referenceMth(d.slice(k)));
}

/** Reference PATH(m, D[n]) from RFC 9162 §2.1.3.1. */
export function referencePath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceMth(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceMth(d.slice(0, k))];
}

/** Reference SUBPROOF(m, D[n], b) from RFC 9162 §2.1.4.1. */
export function referenceSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [referenceMth(d)];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m <= k
    ? [...referenceSubproof(m, d.slice(0, k), b), referenceMth(d.slice(k))]
    : [...referenceSubproof(m - k, d.slice(k), false), referenceMth(d.slice(0, k))];
}

/** A RangeHasher over an in-memory array that records what it was asked for. */
export function recordingHasher(leaves: Uint8Array[]): { hasher: RangeHasher; calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  const hasher: RangeHasher = async (start, end) => {
    calls.push([start, end]);
    await Promise.resolve(); // behave like storage: answer asynchronously
    return referenceMth(leaves.slice(start, end));
  };
  return { hasher, calls };
}

/** Deterministic pseudo-random leaf hashes (no clock, no Math.random: reproducible failures). */
export function makeLeaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(sha256(Uint8Array.of(i & 0xff, i >> 8, 0x4c))));
}

export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

// RangeHasher query shapes from transparency-dev/merkle proof/proof_test.go (TestInclusion,
// TestConsistency): node IDs id(level, index) written as leaf ranges
// [index·2^level, (index+1)·2^level), and each "rehash" group as the one range it hashes to.
export const INCLUSION_SHAPES: Array<[number, number, Array<[number, number]>]> = [
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

export const CONSISTENCY_SHAPES: Array<[number, number, Array<[number, number]>]> = [
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
