import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// Every read and write of the `cosignatures` table (migration 0008, append-only): the
// witness cosignature lines of checkpoints, each verified before it was stored (by
// lib/server/cosigning). tree_size and cosigned_at come back as numbers on both dialects.

export type CosignatureRow = {
  tree_size: number;
  witness: string;
  key_id: string;
  cosigned_at: number;
  line: string;
  received_at: string;
};

const COLUMNS = "tree_size, witness, key_id, cosigned_at, line, received_at";

function normalize(r: CosignatureRow): CosignatureRow {
  return { ...r, tree_size: Number(r.tree_size), cosigned_at: Number(r.cosigned_at) };
}

/**
 * Stores one cosignature; a second one by the same witness for the same checkpoint (a retry
 * whose first answer was lost) keeps the first. Returns whether a row was added. Its own
 * write transaction: on SQLite the one writer connection, on PostgreSQL a plain insert.
 */
export async function insertCosignature(db: SqlDriver, c: CosignatureRow): Promise<boolean> {
  const n = await db.writeTransaction((tx) =>
    tx.run(
      `INSERT INTO cosignatures (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tree_size, witness, key_id) DO NOTHING`,
      [c.tree_size, c.witness, c.key_id, c.cosigned_at, c.line, c.received_at],
    ),
  );
  return n > 0;
}

/** The cosignatures of the checkpoint of size `treeSize`, in the order they arrived. */
export async function cosignaturesOf(db: SqlDriver, treeSize: number): Promise<CosignatureRow[]> {
  const rows = await db.all<CosignatureRow>(
    `SELECT ${COLUMNS} FROM cosignatures WHERE tree_size = ? ORDER BY received_at, witness`,
    [treeSize],
  );
  return rows.map(normalize);
}

/** Each witness key's latest cosignature (the largest tree size it cosigned for this log). */
export async function latestCosignatures(db: SqlDriver): Promise<CosignatureRow[]> {
  const rows = await db.all<CosignatureRow>(
    `SELECT ${COLUMNS} FROM cosignatures c
      WHERE tree_size = (SELECT MAX(tree_size) FROM cosignatures d WHERE d.witness = c.witness AND d.key_id = c.key_id)`,
  );
  return rows.map(normalize);
}
