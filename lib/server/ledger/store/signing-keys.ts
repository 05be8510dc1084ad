import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// Reads and writes of `signing_keys` and `key_rotations` (both append-only since migration
// 0009): every key that ever signed a checkpoint, and the signed statements that retired one
// key in favour of the next. A key's retirement is the time of the statement naming it as
// `old` (or, for keys retired before 0009, the legacy `retired_at` column).

export type SigningKeyRow = {
  key_id: string;
  name: string;
  public_key: Uint8Array;
  verifier_key: string;
  created_at: string | null;
  retired_at: string | null;
};

export type KeyRotationRow = {
  new_key_id: string;
  old_key_id: string;
  tree_size: number | bigint;
  rotated_at: string;
  statement: string;
  entry_seq: number | bigint;
};

const RETIRED_AT =
  "COALESCE(k.retired_at, (SELECT MIN(r.rotated_at) FROM key_rotations r WHERE r.old_key_id = k.key_id))";

export async function allSigningKeys(db: SqlDriver): Promise<SigningKeyRow[]> {
  return db.all<SigningKeyRow>(
    `SELECT k.key_id, k.name, k.public_key, k.verifier_key, k.created_at, ${RETIRED_AT} AS retired_at
       FROM signing_keys k ORDER BY k.created_at, k.key_id`,
  );
}

/** When the key was retired (null: current), or undefined when it is not published. */
export async function keyRetiredAt(db: SqlDriver, keyIdHex: string): Promise<string | null | undefined> {
  const r = await db.get<{ retired_at: string | null }>(
    `SELECT ${RETIRED_AT} AS retired_at FROM signing_keys k WHERE k.key_id = ?`,
    [keyIdHex],
  );
  return r ? r.retired_at : undefined;
}

/** Publishes a key as of `at` (the caller holds the writer lock). */
export async function insertSigningKey(
  tx: SqlDriver,
  k: { keyIdHex: string; name: string; publicKey: Uint8Array; verifierKey: string },
  at: string,
): Promise<void> {
  await tx.run("INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (?, ?, ?, ?, ?)", [
    k.keyIdHex,
    k.name,
    k.publicKey,
    k.verifierKey,
    at,
  ]);
}

/** Records a rotation statement (already logged as entry `entry_seq`); retires `old_key_id` as of `rotated_at`. */
export async function insertKeyRotation(tx: SqlDriver, r: KeyRotationRow): Promise<void> {
  await tx.run(
    "INSERT INTO key_rotations (new_key_id, old_key_id, tree_size, rotated_at, statement, entry_seq) VALUES (?, ?, ?, ?, ?, ?)",
    [r.new_key_id, r.old_key_id, r.tree_size, r.rotated_at, r.statement, r.entry_seq],
  );
}

/** Every rotation statement, oldest first. */
export async function allKeyRotations(db: SqlDriver): Promise<KeyRotationRow[]> {
  return db.all<KeyRotationRow>(
    "SELECT new_key_id, old_key_id, tree_size, rotated_at, statement, entry_seq FROM key_rotations ORDER BY entry_seq",
  );
}
