import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// Reads of `merkle_nodes`: the stored perfect-subtree hashes (ledger/tree.ts
// says which levels are kept; the sequencer inserts them).

const key = (level: number, idx: number) => `${level}/${idx}`;

/** Every stored subtree hash, keyed "level/idx" (look-ups with nodeKey). */
export async function allNodes(db: SqlDriver): Promise<Map<string, Uint8Array>> {
  const rows = await db.all<{ level: number; idx: number; hash: Uint8Array }>(
    "SELECT level, idx, hash FROM merkle_nodes",
  );
  return new Map(rows.map((n) => [key(Number(n.level), Number(n.idx)), new Uint8Array(n.hash)]));
}

export const nodeKey = key;

/** The hashes of level `level`, indexes from ≤ idx < to, in order (a short result means rows are missing). */
export async function nodesBetween(db: SqlDriver, level: number, from: number, to: number): Promise<Uint8Array[]> {
  const rows = await db.all<{ hash: Uint8Array }>(
    "SELECT hash FROM merkle_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
    [level, from, to],
  );
  return rows.map((r) => new Uint8Array(r.hash));
}
