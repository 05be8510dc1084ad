import "server-only";
import { CompactRange, hashChildren, merkleRoot, perfectSubtrees, type RangeHasher } from "@/lib/core/index.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { SqlDriver } from "../db/driver.ts";
import { leafHashesBetween } from "./store/entries.ts";
import { nodesBetween } from "./store/nodes.ts";

// The Merkle tree is stored as leaf hashes (entries.leaf_hash) plus the hash of
// every perfect subtree whose level is a multiple of NODE_LEVEL_STEP
// (merkle_nodes). Any subtree hash then costs at most a few hundred row reads,
// so proofs and restarts never rescan the log (10 M entries → ~40 k node rows).

export const NODE_LEVEL_STEP = 8;
const SMALL = 1 << NODE_LEVEL_STEP;

export class TreeReadError extends Error {}

/** Whether a perfect subtree completed by an append is kept in merkle_nodes. */
export function isStoredLevel(level: number): boolean {
  return level > 0 && level % NODE_LEVEL_STEP === 0;
}

async function leafHashes(db: SqlDriver, start: number, end: number): Promise<Uint8Array[]> {
  const rows = await leafHashesBetween(db, start, end);
  if (rows.length !== end - start) {
    throw new TreeReadError(
      `entries ${start + 1}..${end}: expected ${end - start} rows, found ${rows.length} (gap in the log)`,
    );
  }
  return rows.map((r) => new Uint8Array(r.leaf_hash));
}

async function nodeHashes(db: SqlDriver, level: number, from: number, to: number): Promise<Uint8Array[]> {
  const rows = await nodesBetween(db, level, from, to);
  if (rows.length !== to - from) {
    throw new TreeReadError(
      `merkle_nodes level ${level} [${from}, ${to}): expected ${to - from} rows, found ${rows.length}`,
    );
  }
  return rows;
}

/** MTH(D[start:end)) read from the store: the RangeHasher behind every proof. */
export function storedRangeHasher(db: SqlDriver): RangeHasher {
  const hash = async (start: number, end: number): Promise<Uint8Array> => {
    const n = end - start;
    if (n <= 0) throw new TreeReadError(`empty range [${start}, ${end})`);
    const k = Math.log2(n);
    if (Number.isInteger(k) && k >= NODE_LEVEL_STEP && start % n === 0) {
      const level = Math.floor(k / NODE_LEVEL_STEP) * NODE_LEVEL_STEP;
      return merkleRoot(await nodeHashes(db, level, start / 2 ** level, end / 2 ** level), nodeHasher);
    }
    if (n <= SMALL) return merkleRoot(await leafHashes(db, start, end), nodeHasher);
    let split = 1;
    while (split * 2 < n) split *= 2;
    return hashChildren(await hash(start, start + split), await hash(start + split, end), nodeHasher);
  };
  return hash;
}

/** The compact range (right edge) of the stored tree at `size`, from at most log2(size) subtree reads. */
export async function loadCompactRange(db: SqlDriver, size: number): Promise<CompactRange> {
  if (size === 0) return CompactRange.empty(nodeHasher);
  const hasher = storedRangeHasher(db);
  const hashes: Uint8Array[] = [];
  for (const r of perfectSubtrees(size)) hashes.push(await hasher(r.start, r.end));
  return CompactRange.fromSubtrees(size, hashes, nodeHasher);
}
