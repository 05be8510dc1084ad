import { defaultHasher, hashChildren, type LogHasher } from "../hash.ts";
import { merkleRoot, type RangeHasher } from "../merkle.ts";
import { TILE_HEIGHT, TILE_WIDTH, levelHashCount, tileHashes, tilePath, tileWidthInTree, type Tile } from "./tile.ts";

// Reading any Merkle tree hash — and so any root, inclusion or consistency proof — of a
// tree of a given size from its tlog-tiles (https://c2sp.org/tlog-tiles §Merkle Tree).
// The hash at position j of level L is MTH(D[j·256^L : (j+1)·256^L)); an aligned perfect
// subtree of 2^k leaves is then the MTH of 2^(k mod 8) consecutive hashes of level
// floor(k / 8), which all lie in one tile. Everything else (the right edge of the tree) is
// a split into such subtrees, exactly as RFC 9162 defines MTH.

/** Fetches the bytes of one tile. Called at most once per tile path by one reader. */
export type TileFetcher = (tile: Tile) => Promise<Uint8Array>;

/** A tile that is missing or has the wrong length: the log did not serve what its tree needs. */
export class TileMissingError extends Error {
  constructor(
    readonly tile: Tile,
    message: string,
  ) {
    super(message);
  }
}

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/**
 * A RangeHasher for the tree of `size` leaves whose hashes come from tiles, for
 * `inclusionProofFrom` / `consistencyProofFrom` / the root (range [0, size)). Each tile is
 * fetched once (memoized by path) at the width it has in this tree; the caller verifies
 * results against a signed root — a tile hash reader trusts nothing by itself.
 * Invariant: asking for a range beyond `size` throws; a fetched tile of the wrong length
 * rejects with TileMissingError.
 */
export function tileRangeHasher(size: number, fetchTile: TileFetcher, hasher: LogHasher = defaultHasher): RangeHasher {
  const tiles = new Map<string, Promise<Uint8Array[]>>();
  const readTile = (level: number, index: number): Promise<Uint8Array[]> => {
    const tile: Tile = { level, index, width: tileWidthInTree(level, index, size) };
    const key = tilePath(tile);
    let p = tiles.get(key);
    if (!p) {
      p = fetchTile(tile).then((data) => {
        try {
          return tileHashes(data, tile.width);
        } catch (e) {
          throw new TileMissingError(tile, `${key}: ${(e as Error).message}`);
        }
      });
      tiles.set(key, p);
    }
    return p;
  };
  /** Hashes [from, to) of `level`; they lie in one tile by construction. */
  const levelHashes = async (level: number, from: number, to: number): Promise<Uint8Array[]> => {
    const index = Math.floor(from / TILE_WIDTH);
    if (Math.floor((to - 1) / TILE_WIDTH) !== index) throw new Error("internal: hashes span two tiles");
    const hashes = await readTile(level, index);
    return hashes.slice(from - index * TILE_WIDTH, to - index * TILE_WIDTH);
  };
  const hash = async (start: number, end: number): Promise<Uint8Array> => {
    const n = end - start;
    if (!(n > 0) || start < 0 || end > size)
      throw new Error(`range [${start}, ${end}) is not in a tree of size ${size}`);
    if (isPowerOfTwo(n) && start % n === 0) {
      const k = Math.round(Math.log2(n));
      const level = Math.floor(k / TILE_HEIGHT);
      const span = TILE_WIDTH ** level;
      return merkleRoot(await levelHashes(level, start / span, end / span), hasher);
    }
    let split = 1;
    while (split * 2 < n) split *= 2;
    const [l, r] = await Promise.all([hash(start, start + split), hash(start + split, end)]);
    return hashChildren(l, r, hasher);
  };
  return hash;
}

/**
 * The tiles of a tree computed from all its leaf hashes, straight from the tlog-tiles
 * definition: level 0 is the leaves; each hash of level L+1 is the MTH of one full tile of
 * level L. Returns bytes by tile path (full tiles and the partial tile of every level).
 * A reference for tests and small static logs, O(size) memory.
 */
export function tilesFromLeaves(leaves: Uint8Array[], hasher: LogHasher = defaultHasher): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let level = 0;
  let hashes = leaves;
  while (hashes.length > 0) {
    const next: Uint8Array[] = [];
    for (let index = 0; index * TILE_WIDTH < hashes.length; index++) {
      const group = hashes.slice(index * TILE_WIDTH, (index + 1) * TILE_WIDTH);
      const data = new Uint8Array(group.length * 32);
      group.forEach((h, i) => data.set(h, i * 32));
      out.set(tilePath({ level, index, width: group.length }), data);
      if (group.length === TILE_WIDTH) next.push(merkleRoot(group, hasher));
    }
    if (levelHashCount(level + 1, leaves.length) !== next.length) throw new Error("internal: level size mismatch");
    hashes = next;
    level++;
  }
  return out;
}
