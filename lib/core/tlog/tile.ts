// C2SP tlog-tiles (https://c2sp.org/tlog-tiles) coordinates: which tiles a tree has, and
// the paths they are served at. Pure arithmetic, no I/O.
//
// Sizes and indices are plain numbers below 2^53; like merkle.ts this uses Math.floor and
// multiplication instead of bit operators, which truncate to 32 bits.

/** §Merkle Tree: tiles are subtrees of height 8, so a full tile is 256 hashes (8,192 bytes). */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const HASH_SIZE = 32;
/** §Merkle Tree: "<L> … MUST be a decimal ASCII integer between 0 and 63". */
export const MAX_TILE_LEVEL = 63;

/**
 * A tile: `level` 0..63 for Merkle tree hashes (level 0 = leaf hashes), or "entries" for an
 * entry bundle (§Log entries); `index` is N; `width` is 1..256, 256 for a full tile.
 */
export type Tile = { level: number | "entries"; index: number; width: number };

function assertIndex(n: unknown, what: string): asserts n is number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/** 256^level, or Infinity once it no longer fits a safe integer (no such tile has hashes). */
function levelSpan(level: number): number {
  const span = TILE_WIDTH ** level;
  return Number.isSafeInteger(span) ? span : Infinity;
}

/**
 * The tile index N as path elements (§Merkle Tree): zero-padded 3-digit groups, all but the
 * last prefixed with "x" — 1234067 → "x001/x234/067", 5 → "005".
 */
export function formatTileIndex(n: number): string {
  assertIndex(n, "tile index");
  let rest = Math.floor(n / 1000);
  let out = String(n % 1000).padStart(3, "0");
  while (rest > 0) {
    out = `x${String(rest % 1000).padStart(3, "0")}/${out}`;
    rest = Math.floor(rest / 1000);
  }
  return out;
}

/** The tile's path below the log prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(t: Tile): string {
  assertTile(t);
  const level = t.level === "entries" ? "entries" : String(t.level);
  const partial = t.width === TILE_WIDTH ? "" : `.p/${t.width}`;
  return `tile/${level}/${formatTileIndex(t.index)}${partial}`;
}

function assertTile(t: Tile): void {
  if (t.level !== "entries") {
    if (!Number.isInteger(t.level) || t.level < 0 || t.level > MAX_TILE_LEVEL) {
      throw new Error(`tile level must be 0..${MAX_TILE_LEVEL} or "entries", got ${String(t.level)}`);
    }
  }
  assertIndex(t.index, "tile index");
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) {
    throw new Error(`tile width must be 1..${TILE_WIDTH}, got ${String(t.width)}`);
  }
}

export type ParsedTilePath = { ok: true; tile: Tile } | { ok: false; reason: string };

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Parses a tile path (below the prefix, no leading slash). Strict: only the one canonical
 * spelling of each tile is accepted (§Merkle Tree: no leading zeroes in L and W, 3-digit
 * groups, "x" on all but the last, no all-zero leading group), so a cache key or a stored
 * file has exactly one name. Never throws.
 */
export function parseTilePath(path: string): ParsedTilePath {
  if (typeof path !== "string") return { ok: false, reason: "tile path must be a string" };
  const parts = path.split("/");
  if (parts[0] !== "tile" || parts.length < 3) {
    return { ok: false, reason: "a tile path looks like tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]" };
  }
  let level: number | "entries";
  if (parts[1] === "entries") level = "entries";
  else if (DECIMAL.test(parts[1]!) && Number(parts[1]) <= MAX_TILE_LEVEL) level = Number(parts[1]);
  else return { ok: false, reason: `tile level "${parts[1]}" must be "entries" or 0..63 without leading zeroes` };

  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const last = rest[rest.length - 1]!;
  if (rest.length >= 2 && rest[rest.length - 2]!.endsWith(".p")) {
    // "<last index group>.p/<W>"
    if (!DECIMAL.test(last) || Number(last) < 1 || Number(last) >= TILE_WIDTH) {
      return { ok: false, reason: `partial tile width "${last}" must be 1..255 without leading zeroes` };
    }
    width = Number(last);
    rest = rest.slice(0, -1);
    rest[rest.length - 1] = rest[rest.length - 1]!.slice(0, -2);
  }
  let index = 0;
  for (const [i, group] of rest.entries()) {
    const isLast = i === rest.length - 1;
    const m = (isLast ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(group);
    if (!m) {
      return {
        ok: false,
        reason: `tile index element "${group.slice(0, 20)}" must be ${isLast ? "3 digits" : '"x" and 3 digits'} (e.g. x001/x234/067)`,
      };
    }
    index = index * 1000 + Number(m[1]);
    if (!Number.isSafeInteger(index)) return { ok: false, reason: "tile index is too large" };
  }
  const tile: Tile = { level, index, width };
  // The canonical spelling check catches e.g. "x000/005" for 5.
  if (tilePath(tile) !== path) return { ok: false, reason: `not the canonical path of its tile (${tilePath(tile)})` };
  return { ok: true, tile };
}

/**
 * How many hashes level `level` has in a tree of `size` leaves: floor(size / 256^level)
 * (§Partial Tiles). Level 0 holds the leaf hashes; entry bundles follow level 0.
 */
export function levelHashCount(level: number | "entries", size: number): number {
  assertIndex(size, "tree size");
  return level === "entries" ? size : Math.floor(size / levelSpan(level));
}

/**
 * The width tile (level, index) has in a tree of `size` leaves: 256 when full, 1..255 when
 * partial, 0 when the tree has no such tile (§Partial Tiles: empty tiles are never served).
 */
export function tileWidthInTree(level: number | "entries", index: number, size: number): number {
  assertIndex(index, "tile index");
  const count = levelHashCount(level, size);
  return Math.max(0, Math.min(TILE_WIDTH, count - index * TILE_WIDTH));
}

/**
 * Every Merkle tree tile of a tree of `size` leaves, level by level, full tiles first and
 * the partial one (if any) last. §Partial Tiles example: size 70,000 has 273 full level-0
 * tiles, a level-0 tile of width 112, one full level-1 tile, a level-1 tile of width 17 and
 * a level-2 tile of width 1.
 */
export function treeTiles(size: number): Tile[] {
  assertIndex(size, "tree size");
  const out: Tile[] = [];
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const count = levelHashCount(level, size);
    if (count === 0) break;
    const full = Math.floor(count / TILE_WIDTH);
    for (let index = 0; index < full; index++) out.push({ level, index, width: TILE_WIDTH });
    if (count % TILE_WIDTH) out.push({ level, index: full, width: count % TILE_WIDTH });
  }
  return out;
}

/** The entry bundles of a tree of `size` leaves, full ones first, the partial one (if any) last. */
export function entryBundles(size: number): Tile[] {
  return treeTiles(size)
    .filter((t) => t.level === 0)
    .map((t) => ({ ...t, level: "entries" as const }));
}

/**
 * The tiles (of `level`) that hold hashes [from, to) of that level in a tree of `size`,
 * each with the width it has in that tree. `to` must not exceed levelHashCount(level, size).
 */
export function tilesCovering(level: number | "entries", from: number, to: number, size: number): Tile[] {
  assertIndex(from, "from");
  assertIndex(to, "to");
  if (to > levelHashCount(level, size)) throw new Error(`hashes up to ${to} are beyond a tree of size ${size}`);
  const out: Tile[] = [];
  if (to <= from) return out;
  for (let index = Math.floor(from / TILE_WIDTH); index * TILE_WIDTH < to; index++) {
    out.push({ level, index, width: tileWidthInTree(level, index, size) });
  }
  return out;
}

/** Splits tile bytes into its 32-byte hashes. Throws unless the length is width × 32. */
export function tileHashes(data: Uint8Array, width: number): Uint8Array[] {
  if (!(data instanceof Uint8Array) || data.length !== width * HASH_SIZE) {
    throw new Error(`a tile of width ${width} must be ${width * HASH_SIZE} bytes, got ${data?.length ?? "none"}`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < width; i++) out.push(data.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return out;
}
