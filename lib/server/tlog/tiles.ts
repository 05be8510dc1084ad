import "server-only";
import { utf8 } from "@/lib/core/index.ts";
import {
  HASH_SIZE,
  TILE_HEIGHT,
  TILE_WIDTH,
  encodeEntryBundle,
  levelHashCount,
  type Tile,
} from "@/lib/core/tlog/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { AppError } from "../errors.ts";
import { ENTRY_COLUMNS, canonicalEntryFromRow, type EntryRow } from "../ledger/entry.ts";
import { NODE_LEVEL_STEP } from "../ledger/tree.ts";

// The tlog-tiles resources (https://c2sp.org/tlog-tiles) read straight from what the
// sequencer stores: a level-0 tile is a range of entries.leaf_hash, a level-L tile a range
// of merkle_nodes at level 8·L (the hash of every perfect subtree of 256^L leaves), an
// entry bundle the RFC 8785 bytes of a range of entries. Each read is one indexed range
// query of at most 256 rows — never a scan of the log.

if (NODE_LEVEL_STEP !== TILE_HEIGHT) throw new Error("merkle_nodes levels must be the tile height");

/** The store lacks rows a tile of a signed tree needs: entries or subtree hashes were removed. */
export class TileGapError extends Error {}

/** The latest signed checkpoint: its size bounds every tile served. */
export async function latestSignedCheckpoint(db: SqlDriver): Promise<{ size: number; note: string } | null> {
  const row = await db.get<{ tree_size: number; note: string }>(
    "SELECT tree_size, note FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
  );
  return row ? { size: Number(row.tree_size), note: row.note } : null;
}

/**
 * Whether `tile` is part of the tree of `size` leaves, or a prefix of one of its tiles
 * (§Partial Tiles: a log MUST serve the partial tiles of every checkpointed size; the hashes
 * never change once in the tree, so any prefix below `size` is served).
 */
export function tileInTree(tile: Tile, size: number): boolean {
  return tile.index * TILE_WIDTH + tile.width <= levelHashCount(tile.level === "entries" ? 0 : tile.level, size);
}

/** The bytes of a hash tile (`width` concatenated 32-byte hashes). */
export async function readHashTile(db: SqlDriver, level: number, index: number, width: number): Promise<Uint8Array> {
  const from = index * TILE_WIDTH;
  const rows =
    level === 0
      ? await db.all<{ h: Uint8Array }>("SELECT leaf_hash AS h FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq", [
          from,
          from + width,
        ])
      : await db.all<{ h: Uint8Array }>(
          "SELECT hash AS h FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
          [level * TILE_HEIGHT, from, from + width],
        );
  if (rows.length !== width) {
    throw new TileGapError(
      level === 0
        ? `entries ${from + 1}..${from + width} are not all in the store (${rows.length} of ${width} found)`
        : `subtree hashes of level ${level * TILE_HEIGHT} [${from}, ${from + width}) are not all in the store (${rows.length} of ${width})`,
    );
  }
  const out = new Uint8Array(width * HASH_SIZE);
  rows.forEach((r, i) => out.set(new Uint8Array(r.h), i * HASH_SIZE));
  return out;
}

/**
 * A bundle with a pruned entry is refused, not patched (docs/retention.md): its bytes are
 * gone, and any stand-in would not hash to the leaf a client checks it against. Like
 * tlog-tiles' pruning, the hash tiles, checkpoints and proofs stay served.
 */
function refusePruned(rows: EntryRow[]): void {
  const pruned = rows.filter((r) => r.pruned_by != null);
  if (!pruned.length) return;
  const receipts = [...new Set(pruned.map((r) => Number(r.pruned_by)))];
  throw new AppError(
    "not_found",
    `${pruned.length} entries of this bundle (first seq ${Number(pruned[0]!.seq)}) were pruned by retention policy; ` +
      `their bodies are gone, their leaf hashes stay in the hash tiles. Prune receipt entries: ${receipts.slice(0, 10).join(", ")}.`,
  );
}

/** The entry bundle: each entry's canonical bytes (SPEC §2), whose leaf hashes make the level-0 tile. */
export async function readEntryBundle(db: SqlDriver, index: number, width: number): Promise<Uint8Array> {
  const from = index * TILE_WIDTH;
  const rows = await db.all<EntryRow>(
    `SELECT ${ENTRY_COLUMNS.join(", ")}, pruned_by FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq`,
    [from, from + width],
  );
  if (rows.length !== width) {
    throw new TileGapError(
      `entries ${from + 1}..${from + width} are not all in the store (${rows.length} of ${width})`,
    );
  }
  refusePruned(rows);
  return encodeEntryBundle(rows.map((r) => utf8(canonicalEntryFromRow(r))));
}
