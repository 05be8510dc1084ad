import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// Every read and write of the `checkpoints` table (append-only: rows are only
// inserted, by the sequencer). tree_size comes back as a number on both
// dialects (PostgreSQL returns BIGINT as a string).

export type CheckpointRow = {
  tree_size: number;
  root_hash: Uint8Array;
  note: string;
  key_id: string;
  created_at: string;
};

type Summary = { treeSize: number; note: string; keyId: string; createdAt: string };

const COLUMNS = "tree_size, root_hash, note, key_id, created_at";

function normalize(r: CheckpointRow): CheckpointRow {
  return { ...r, tree_size: Number(r.tree_size) };
}

function summary(r: CheckpointRow): Summary {
  return { treeSize: Number(r.tree_size), note: r.note, keyId: r.key_id, createdAt: r.created_at };
}

/** Every checkpoint, smallest first. */
export async function allCheckpoints(db: SqlDriver): Promise<CheckpointRow[]> {
  return (await db.all<CheckpointRow>(`SELECT ${COLUMNS} FROM checkpoints ORDER BY tree_size`)).map(normalize);
}

/** latestCheckpointRow's statement (the sequencer states its answer ahead of a commit: SqlDriver.expect). */
export const LATEST_CHECKPOINT_SQL = `SELECT ${COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`;

/** The largest checkpoint, or null when none was signed. */
export async function latestCheckpointRow(db: SqlDriver): Promise<CheckpointRow | null> {
  const r = await db.get<CheckpointRow>(LATEST_CHECKPOINT_SQL);
  return r ? normalize(r) : null;
}

/** The latest checkpoint's note and metadata (what GET /api/v1/checkpoint serves). */
export async function latestCheckpointSummary(db: SqlDriver): Promise<Summary | null> {
  const r = await latestCheckpointRow(db);
  return r ? summary(r) : null;
}

/** The `limit` largest checkpoints, largest first. */
export async function recentCheckpoints(db: SqlDriver, limit: number): Promise<Summary[]> {
  const rows = await db.all<CheckpointRow>(`SELECT ${COLUMNS} FROM checkpoints ORDER BY tree_size DESC LIMIT ?`, [
    limit,
  ]);
  return rows.map(summary);
}

/** The oldest checkpoint that covers entry `seq`, or null when none does yet. */
export async function coveringCheckpoint(db: SqlDriver, seq: number): Promise<Summary | null> {
  const r = await db.get<CheckpointRow>(
    `SELECT ${COLUMNS} FROM checkpoints WHERE tree_size >= ? ORDER BY tree_size ASC LIMIT 1`,
    [seq],
  );
  return r ? summary(r) : null;
}

export async function insertCheckpoint(tx: SqlDriver, c: CheckpointRow): Promise<void> {
  await tx.run(`INSERT INTO checkpoints (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`, [
    c.tree_size,
    c.root_hash,
    c.note,
    c.key_id,
    c.created_at,
  ]);
}
