import "server-only";
import { hashChildren } from "@/lib/core/index.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { SqlDriver } from "../db/driver.ts";
import { storedRangeHasher, TreeReadError } from "../ledger/tree.ts";
import { leafHashesBetween } from "../ledger/store/entries.ts";

// Inclusion proofs for many entries, in seq order, against one tree size. Asked one
// by one, storedRangeHasher would read ~17 ranges per entry from the store; here
// every subtree hash is computed once: ranges inside a 256-leaf block come from
// that block's leaf hashes (one query per block, the recent blocks kept), larger
// ones from the stored subtree nodes, remembered for the whole bundle (≈ 2 per
// block). Paths come out as base64 strings, each node encoded once.

const BLOCK = 256;
const BLOCKS_KEPT = 16;
const GROUP_BLOCKS = 8;

type Node = { hash: Uint8Array; b64?: string };
type Block = { leaves: Node[]; memo: Map<number, Node> };

function b64(n: Node): string {
  return (n.b64 ??= Buffer.from(n.hash.buffer, n.hash.byteOffset, n.hash.length).toString("base64"));
}

/** RFC 9162 PATH(index, D[size]) as subtree ranges, leaf's sibling first (same as lib/core/merkle.ts). */
export function inclusionRanges(index: number, size: number): Array<[number, number]> {
  const topDown: Array<[number, number]> = [];
  let start = 0;
  let end = size;
  let m = index;
  while (end - start > 1) {
    let k = 1;
    while (k * 2 < end - start) k *= 2;
    if (m < k) {
      topDown.push([start + k, end]);
      end = start + k;
    } else {
      topDown.push([start, start + k]);
      m -= k;
      start += k;
    }
  }
  return topDown.reverse();
}

export class ProofBatch {
  private readonly stored;
  private readonly big = new Map<string, Node>();
  private readonly blocks = new Map<number, Block>();

  constructor(
    private readonly db: SqlDriver,
    readonly treeSize: number,
  ) {
    this.stored = storedRangeHasher(db);
  }

  private isSmall(s: number, e: number): boolean {
    const b = Math.floor(s / BLOCK);
    // A whole block is one stored level-8 node; anything smaller lies in one block
    // (the leaf's own, or the last one for a right-edge range).
    return e - s < BLOCK && e <= (b + 1) * BLOCK;
  }

  private async loadBlock(b: number): Promise<void> {
    if (this.blocks.has(b)) {
      const blk = this.blocks.get(b)!;
      this.blocks.delete(b);
      this.blocks.set(b, blk);
      return;
    }
    const start = b * BLOCK;
    const end = Math.min(start + BLOCK, this.treeSize);
    const rows = await leafHashesBetween(this.db, start, end);
    if (rows.length !== end - start)
      throw new TreeReadError(
        `entries ${start + 1}..${end}: expected ${end - start} rows, found ${rows.length} (gap in the log)`,
      );
    this.blocks.set(b, { leaves: rows.map((r) => ({ hash: new Uint8Array(r.leaf_hash) })), memo: new Map() });
  }

  // MTH of [s, e) inside one loaded block; each node computed at most once per block.
  private inBlock(blk: Block, base: number, s: number, e: number): Node {
    if (e - s === 1) return blk.leaves[s - base]!;
    const key = s * (BLOCK + 1) + (e - s);
    let n = blk.memo.get(key);
    if (!n) {
      let k = 1;
      while (k * 2 < e - s) k *= 2;
      n = {
        hash: hashChildren(this.inBlock(blk, base, s, s + k).hash, this.inBlock(blk, base, s + k, e).hash, nodeHasher),
      };
      blk.memo.set(key, n);
    }
    return n;
  }

  /**
   * Base64 inclusion paths of the leaves at `indices` (ascending, each < treeSize): all
   * store reads for the batch first, then the paths from memory.
   */
  async paths(indices: number[]): Promise<string[][]> {
    // Sparse selections touch many blocks: work in groups that need at most GROUP_BLOCKS.
    const out: string[][] = [];
    let group: Array<[number, Array<[number, number]>]> = [];
    let blocks = new Set<number>();
    // A leaf's small ranges lie in its own block, except right-edge ones in the last block.
    const last = Math.floor((this.treeSize - 1) / BLOCK);
    for (const i of indices) {
      const own = Math.floor(i / BLOCK);
      const grows = (blocks.has(own) ? 0 : 1) + (blocks.has(last) || own === last ? 0 : 1);
      if (blocks.size + grows > GROUP_BLOCKS && group.length) {
        out.push(...(await this.group(group, blocks)));
        group = [];
        blocks = new Set();
      }
      blocks.add(own);
      blocks.add(last);
      group.push([i, inclusionRanges(i, this.treeSize)]);
    }
    if (group.length) out.push(...(await this.group(group, blocks)));
    return out;
  }

  private async group(items: Array<[number, Array<[number, number]>]>, needBlocks: Set<number>): Promise<string[][]> {
    const ranges = items.map(([, rs]) => rs);
    const needBig = new Map<string, [number, number]>();
    for (const rs of ranges) {
      for (const [s, e] of rs) if (!this.isSmall(s, e) && !this.big.has(`${s}:${e}`)) needBig.set(`${s}:${e}`, [s, e]);
    }
    for (const b of [...needBlocks].sort((x, y) => x - y)) await this.loadBlock(b);
    // Evict the least recently used blocks this group does not need.
    for (const b of [...this.blocks.keys()]) {
      if (this.blocks.size <= BLOCKS_KEPT) break;
      if (!needBlocks.has(b)) this.blocks.delete(b);
    }
    for (const [key, [s, e]] of needBig) this.big.set(key, { hash: await this.stored(s, e) });
    return ranges.map((rs) =>
      rs.map(([s, e]) => {
        if (!this.isSmall(s, e)) return b64(this.big.get(`${s}:${e}`)!);
        const b = Math.floor(s / BLOCK);
        return b64(this.inBlock(this.blocks.get(b)!, b * BLOCK, s, e));
      }),
    );
  }
}
