import { describe, expect, it } from "vitest";
import { toHex } from "../bytes.ts";
import { sha256 } from "../hash.ts";
import {
  consistencyProof,
  consistencyProofFrom,
  inclusionProof,
  inclusionProofFrom,
  merkleRoot,
  verifyConsistency,
} from "../merkle.ts";
import { tilePath, treeTiles, type Tile } from "./tile.ts";
import { TileMissingError, tileRangeHasher, tilesFromLeaves } from "./tile-reader.ts";

// The tile reader is checked against the plain RFC 9162 functions of merkle.ts over all
// leaves, and the tiles against the tlog-tiles formula MTH(D[(n·256+i)·256^l : …]).

function leaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sha256(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 7)));
}

const BIG = leaves(70_000);

let bigTiles: Map<string, Uint8Array> | undefined;

/**
 * A tile reader for the tree of BIG's first `size` leaves. Its tiles are prefixes of the
 * tiles of all of BIG (hashes never change as a tree grows), so they are built once.
 */
function reader(size: number) {
  bigTiles ??= tilesFromLeaves(BIG);
  const fetched: string[] = [];
  const fetch = async (t: Tile) => {
    fetched.push(tilePath(t));
    const level = t.level as number;
    const data =
      bigTiles!.get(tilePath({ level, index: t.index, width: 256 })) ??
      [...bigTiles!].find(([p]) => p.startsWith(`${tilePath({ level, index: t.index, width: 256 })}.p/`))?.[1];
    if (!data || data.length < t.width * 32) throw new Error(`no tile ${tilePath(t)}`);
    return data.slice(0, t.width * 32);
  };
  return { hasher: tileRangeHasher(size, fetch), fetched };
}

describe("tilesFromLeaves follows the tlog-tiles definition", () => {
  it("level-l tile n, hash i is MTH(D[(n·256+i)·256^l : (n·256+i+1)·256^l])", () => {
    const tiles = (bigTiles ??= tilesFromLeaves(BIG));
    expect([...tiles.keys()].sort()).toEqual(treeTiles(70_000).map(tilePath).sort());
    const at = (path: string, i: number) => toHex(tiles.get(path)!.slice(i * 32, (i + 1) * 32));
    expect(at("tile/0/273.p/112", 5)).toBe(toHex(BIG[273 * 256 + 5]!));
    expect(at("tile/1/000", 7)).toBe(toHex(merkleRoot(BIG.slice(7 * 256, 8 * 256))));
    expect(at("tile/1/001.p/17", 16)).toBe(toHex(merkleRoot(BIG.slice((256 + 16) * 256, (256 + 17) * 256))));
    expect(at("tile/2/000.p/1", 0)).toBe(toHex(merkleRoot(BIG.slice(0, 65_536))));
  }, 60_000);
});

describe("tileRangeHasher feeds the proof code", () => {
  it("gives the RFC 9162 root at sizes around every tile boundary, up to level 2", async () => {
    for (const size of [1, 2, 255, 256, 257, 513, 65_536, 70_000]) {
      const { hasher } = reader(size);
      expect(toHex(await hasher(0, size)), `size ${size}`).toBe(toHex(merkleRoot(BIG.slice(0, size))));
    }
  }, 60_000);

  it("gives the same inclusion and consistency proofs as the reference", async () => {
    const cases: Array<[size: number, indices: number[], olds: number[]]> = [
      [257, [0, 1, 255, 256], [1, 255, 256]],
      [4097, [0, 2048, 4096], [1, 256, 4096]],
    ];
    for (const [size, indices, olds] of cases) {
      const { hasher } = reader(size);
      const all = BIG.slice(0, size);
      for (const index of indices) {
        const want = inclusionProof(index, all).map(toHex);
        expect((await inclusionProofFrom(index, size, hasher)).map(toHex), `incl ${index}/${size}`).toEqual(want);
      }
      for (const m of olds) {
        const got = await consistencyProofFrom(m, size, hasher);
        expect(got.map(toHex), `cons ${m}→${size}`).toEqual(consistencyProof(m, all).map(toHex));
        expect(verifyConsistency(m, size, merkleRoot(BIG.slice(0, m)), merkleRoot(all), got)).toBe(true);
      }
    }
    // Past the level-2 boundary, answers known without the O(n) reference: the last leaf's inclusion
    // path is the root of the first 65,536 leaves; the consistency proof from 65,536 is the new leaf.
    const { hasher } = reader(65_537);
    const first = merkleRoot(BIG.slice(0, 65_536));
    expect((await inclusionProofFrom(65_536, 65_537, hasher)).map(toHex)).toEqual([toHex(first)]);
    expect((await consistencyProofFrom(65_536, 65_537, hasher)).map(toHex)).toEqual([toHex(BIG[65_536]!)]);
  }, 120_000);

  it("fetches each tile once, only tiles of the requested tree, at their width in it", async () => {
    const { hasher, fetched } = reader(70_000);
    await hasher(0, 70_000);
    await hasher(0, 70_000);
    expect(new Set(fetched).size).toBe(fetched.length);
    // The root needs the partial level-0 tile, the level-1 tiles and the level-2 tile, never the full level-0 ones.
    expect(fetched.sort()).toEqual(["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"]);
  });

  it("rejects a tile of the wrong length as missing, and ranges outside the tree", async () => {
    const hasher = tileRangeHasher(300, async (t) => new Uint8Array(t.width * 32 - 1));
    await expect(hasher(0, 300)).rejects.toBeInstanceOf(TileMissingError);
    const { hasher: h } = reader(300);
    await expect(h(0, 301)).rejects.toThrow(/not in a tree/);
    await expect(h(5, 5)).rejects.toThrow(/not in a tree/);
  });

  it("a changed leaf in a served tile changes the root it yields (the reader trusts nothing)", async () => {
    const tiles = tilesFromLeaves(BIG.slice(0, 600));
    const tampered = new Map(tiles);
    const t1 = tiles.get("tile/0/001")!.slice();
    t1[(301 - 256) * 32] = t1[(301 - 256) * 32]! ^ 1; // leaf 301, the sibling of leaf 300
    tampered.set("tile/0/001", t1);
    const h = tileRangeHasher(600, async (t) => tampered.get(tilePath(t))!);
    // The level-1 tile still commits to the original tile 1, so the root is unchanged …
    expect(toHex(await h(0, 600))).toBe(toHex(merkleRoot(BIG.slice(0, 600))));
    // … but a proof read through the tampered leaf tile no longer verifies: the reader is
    // only as good as the checks its caller makes against a signed root.
    const proof = await inclusionProofFrom(300, 600, h);
    expect(toHex(proof[0]!)).not.toBe(toHex(inclusionProof(300, BIG.slice(0, 600))[0]!));
  });
});
