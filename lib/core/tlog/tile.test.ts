import { describe, expect, it } from "vitest";
import {
  entryBundles,
  formatTileIndex,
  levelHashCount,
  parseTilePath,
  tileHashes,
  tilePath,
  tilesCovering,
  tileWidthInTree,
  treeTiles,
} from "./tile.ts";

describe("tile paths (c2sp.org/tlog-tiles §Merkle Tree)", () => {
  it("encodes the index in x-prefixed 3-digit groups (the spec's 1234067 → x001/x234/067)", () => {
    expect(formatTileIndex(1234067)).toBe("x001/x234/067");
    expect(formatTileIndex(0)).toBe("000");
    expect(formatTileIndex(5)).toBe("005");
    expect(formatTileIndex(999)).toBe("999");
    expect(formatTileIndex(1000)).toBe("x001/000");
    expect(formatTileIndex(1_000_000)).toBe("x001/x000/000");
    expect(() => formatTileIndex(-1)).toThrow();
    expect(() => formatTileIndex(1.5)).toThrow();
  });

  it("writes full, partial and entry-bundle paths", () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe("tile/2/000.p/1");
    expect(tilePath({ level: "entries", index: 1234067, width: 12 })).toBe("tile/entries/x001/x234/067.p/12");
    expect(() => tilePath({ level: 64, index: 0, width: 256 })).toThrow(/level/);
    expect(() => tilePath({ level: 0, index: 0, width: 0 })).toThrow(/width/);
    expect(() => tilePath({ level: 0, index: 0, width: 257 })).toThrow(/width/);
  });

  it("parses exactly the paths it writes", () => {
    for (const t of [
      { level: 0, index: 0, width: 256 },
      { level: 63, index: 1234067, width: 255 },
      { level: "entries" as const, index: 999_999_999, width: 1 },
      { level: 1, index: 1000, width: 17 },
    ]) {
      expect(parseTilePath(tilePath(t))).toEqual({ ok: true, tile: t });
    }
  });

  it("refuses every non-canonical or malformed spelling", () => {
    for (const bad of [
      "tile/0/5", // not 3 digits
      "tile/0/0005",
      "tile/0/x000/005", // leading all-zero group
      "tile/0/001/005", // missing x
      "tile/0/x001",
      "tile/00/000",
      "tile/01/000",
      "tile/64/000",
      "tile/-1/000",
      "tile/data/000",
      "tile/0/000.p/0",
      "tile/0/000.p/256",
      "tile/0/000.p/01",
      "tile/0/000.p",
      "tile/0/000.p/",
      "tile/0/000/",
      "tile/0",
      "tiles/0/000",
      "/tile/0/000",
      "tile/0/x1/000",
      "tile/0/０００",
      "tile/entries/000.p/abc",
    ]) {
      const r = parseTilePath(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });
});

describe("which tiles a tree has (§Partial Tiles)", () => {
  it("a tree of 70,000 leaves: 273 full level-0 tiles, one of width 112, one full level-1 tile, one of width 17, one level-2 tile of width 1", () => {
    const tiles = treeTiles(70_000);
    const level = (l: number) => tiles.filter((t) => t.level === l);
    expect(level(0).filter((t) => t.width === 256)).toHaveLength(273);
    expect(level(0).filter((t) => t.width !== 256)).toEqual([{ level: 0, index: 273, width: 112 }]);
    expect(level(1)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
    ]);
    expect(level(2)).toEqual([{ level: 2, index: 0, width: 1 }]);
    expect(tiles).toHaveLength(273 + 1 + 2 + 1);
  });

  it("a tree of 256 leaves: one full level-0 tile and a level-1 tile of width 1", () => {
    expect(treeTiles(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(treeTiles(0)).toEqual([]);
    expect(treeTiles(1)).toEqual([{ level: 0, index: 0, width: 1 }]);
    expect(entryBundles(257)).toEqual([
      { level: "entries", index: 0, width: 256 },
      { level: "entries", index: 1, width: 1 },
    ]);
  });

  it("gives each tile's width in a tree, 0 beyond it", () => {
    expect(levelHashCount(0, 70_000)).toBe(70_000);
    expect(levelHashCount(1, 70_000)).toBe(273);
    expect(levelHashCount(2, 70_000)).toBe(1);
    expect(levelHashCount(3, 70_000)).toBe(0);
    expect(levelHashCount(63, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(tileWidthInTree(0, 273, 70_000)).toBe(112);
    expect(tileWidthInTree(0, 272, 70_000)).toBe(256);
    expect(tileWidthInTree(0, 274, 70_000)).toBe(0);
    expect(tileWidthInTree(2, 0, 65_535)).toBe(0);
    expect(tileWidthInTree(2, 0, 65_536)).toBe(1);
    expect(tileWidthInTree("entries", 1, 300)).toBe(44);
  });

  it("lists the tiles covering a range of one level", () => {
    expect(tilesCovering(0, 250, 600, 700)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 0, index: 1, width: 256 },
      { level: 0, index: 2, width: 188 },
    ]);
    expect(tilesCovering(0, 512, 512, 700)).toEqual([]);
    expect(() => tilesCovering(0, 0, 701, 700)).toThrow(/beyond/);
  });

  it("splits tile bytes into hashes only at the exact length", () => {
    const data = new Uint8Array(64).map((_, i) => i);
    expect(tileHashes(data, 2).map((h) => h[0])).toEqual([0, 32]);
    expect(() => tileHashes(data, 3)).toThrow(/96 bytes/);
    expect(() => tileHashes(data.subarray(1), 2)).toThrow();
  });
});
