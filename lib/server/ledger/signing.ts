import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  generateSigningKey,
  keyFingerprint,
  keyId,
  parseSignerKey,
  publicKeyToPem,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import type { Config } from "../config.ts";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso } from "../ids.ts";

// The checkpoint signing key: LEDGERLINE_SIGNING_KEY (a C2SP signer key string)
// when configured — required when several instances share one PostgreSQL — or
// else <data dir>/signing-key, generated on first start with mode 0600.

export type SigningKey = {
  name: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
  keyIdHex: string;
  verifierKey: string;
  pem: string;
  fingerprint: string;
  /** Where it came from, for the operator. */
  origin: "env" | "file" | "generated";
  file?: string;
};

export class SigningKeyError extends Error {}

export function signingKeyFile(dataDir: string): string {
  return path.join(dataDir, "signing-key");
}

function describe(name: string, seed: Uint8Array, publicKey: Uint8Array, origin: SigningKey["origin"], file?: string): SigningKey {
  return {
    name,
    seed,
    publicKey,
    keyIdHex: toHex(keyId(name, publicKey)),
    verifierKey: verifierKeyString(name, publicKey),
    pem: publicKeyToPem(publicKey),
    fingerprint: keyFingerprint(publicKey),
    origin,
    file,
  };
}

/** Loads (or on first start creates) the signing key; never logs the private part. */
export function loadSigningKey(config: Config): SigningKey {
  if (config.signingKey) {
    const k = parseOrExplain(config.signingKey, "LEDGERLINE_SIGNING_KEY");
    return describe(k.name, k.seed, generateSigningKey(k.name, k.seed).publicKey, "env");
  }
  const file = signingKeyFile(config.dataDir);
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new SigningKeyError(
        `${file} is readable by other users (mode ${mode.toString(8)}). Run \`chmod 600 ${file}\` and start again.`,
      );
    }
    const k = parseOrExplain(fs.readFileSync(file, "utf8").trim(), file);
    return describe(k.name, k.seed, generateSigningKey(k.name, k.seed).publicKey, "file", file);
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const k = generateSigningKey(config.keyName);
  // wx: never overwrite a key another process created a moment ago.
  try {
    fs.writeFileSync(file, signerKeyString(k.name, k.seed) + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return loadSigningKey(config);
    throw e;
  }
  return describe(k.name, k.seed, k.publicKey, "generated", file);
}

function parseOrExplain(s: string, where: string) {
  try {
    return parseSignerKey(s);
  } catch (e) {
    throw new SigningKeyError(
      `${where} does not hold a signer key (PRIVATE+KEY+<name>+<id>+<base64>): ${(e as Error).message}`,
    );
  }
}

/** Publishes the key's verifier string in signing_keys (idempotent). */
export async function registerSigningKey(db: SqlDriver, key: SigningKey): Promise<void> {
  await db.writeTransaction(async (tx) => {
    const row = await tx.get<{ key_id: string }>("SELECT key_id FROM signing_keys WHERE key_id = ?", [key.keyIdHex]);
    if (!row) {
      await tx.run(
        "INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (?, ?, ?, ?, ?)",
        [key.keyIdHex, key.name, key.publicKey, key.verifierKey, nowIso()],
      );
    }
  });
}
