import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// Reads and writes of `signing_keys`: every key that ever signed a checkpoint,
// with its validity period (created_at .. retired_at).

export type SigningKeyRow = {
  key_id: string;
  name: string;
  public_key: Uint8Array;
  verifier_key: string;
  created_at: string | null;
  retired_at: string | null;
};

export async function allSigningKeys(db: SqlDriver): Promise<SigningKeyRow[]> {
  return db.all<SigningKeyRow>(
    "SELECT key_id, name, public_key, verifier_key, created_at, retired_at FROM signing_keys ORDER BY created_at",
  );
}

/** When the key was retired (null: current), or undefined when it is not published. */
export async function keyRetiredAt(db: SqlDriver, keyIdHex: string): Promise<string | null | undefined> {
  const r = await db.get<{ retired_at: string | null }>("SELECT retired_at FROM signing_keys WHERE key_id = ?", [
    keyIdHex,
  ]);
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

/** Retires, as of `at`, every current key other than `keyIdHex`: one current key at a time. */
export async function retireOtherKeys(tx: SqlDriver, keyIdHex: string, at: string): Promise<void> {
  await tx.run("UPDATE signing_keys SET retired_at = ? WHERE key_id <> ? AND retired_at IS NULL", [at, keyIdHex]);
}
