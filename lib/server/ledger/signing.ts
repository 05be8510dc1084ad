import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  generateSigningKey,
  keyFingerprint,
  keyId,
  openNote,
  parseSignerKey,
  publicKeyToPem,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import type { Config } from "../config.ts";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso } from "../db/ids.ts";
import { KeyChainError, assertKeyChain } from "./key-chain.ts";
import { insertSigningKey, keyRetiredAt } from "./store/signing-keys.ts";

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

function describe(
  name: string,
  seed: Uint8Array,
  publicKey: Uint8Array,
  origin: SigningKey["origin"],
  file?: string,
): SigningKey {
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

/**
 * Publishes the key's verifier string in signing_keys (idempotent, append-only) once it may
 * sign for this log: it signed the latest checkpoint, or rotation statements chain it to
 * that checkpoint's key (key-chain.ts). A key that was already retired is refused: checkpoints
 * it signed now would fall outside its validity period. Nothing is ever retired here: only a
 * rotation statement (rotate.ts) retires a key.
 */
export async function registerSigningKey(db: SqlDriver, key: SigningKey, origin: string): Promise<void> {
  const where = key.origin === "env" ? "LEDGERLINE_SIGNING_KEY" : (key.file ?? "generated");
  await db.writeTransaction(async (tx) => {
    const retiredAt = await keyRetiredAt(tx, key.keyIdHex);
    if (retiredAt) {
      throw new SigningKeyError(
        `signing key ${key.verifierKey} (${where}) was retired at ${retiredAt} ` +
          "and must not sign again: configure the current key (or a new one) instead.",
      );
    }
    try {
      await assertKeyChain(tx, { keyIdHex: key.keyIdHex, verifierKey: key.verifierKey, where }, origin);
    } catch (e) {
      if (e instanceof KeyChainError) throw new SigningKeyError(e.message);
      throw e;
    }
    if (retiredAt === undefined) await insertSigningKey(tx, key, nowIso());
  });
}

// ------------------------------------------------------------- validity ---

/** Clock skew tolerated at both ends of a key's validity period. */
export const KEY_VALIDITY_SKEW_MS = 5_000;

/** A verifier key, optionally with its validity period (ISO timestamps) from signing_keys. */
export type DatedKey = { name: string; publicKey: Uint8Array; createdAt?: string | null; retiredAt?: string | null };

function ms(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/**
 * The keys that may have signed something created at `createdAt`: created_at ≤
 * createdAt ≤ retired_at, each end widened by `skewMs`. A key without a
 * created_at (e.g. one pinned with --key) is valid at any time; one without a
 * retired_at is valid until now. An unparseable `createdAt` matches only keys
 * without any validity period.
 */
export function keysValidAt<K extends DatedKey>(keys: K[], createdAt: string, skewMs = KEY_VALIDITY_SKEW_MS): K[] {
  const t = ms(createdAt);
  return keys.filter((k) => {
    const from = ms(k.createdAt);
    const to = ms(k.retiredAt);
    if (from === null && to === null) return true;
    if (t === null) return false;
    return (from === null || from - skewMs <= t) && (to === null || t <= to + skewMs);
  });
}

/**
 * Why a checkpoint that no key valid at its time verifies would have verified
 * with some key outside its validity, or null when that is not the case.
 */
export function validityProblem(keys: DatedKey[], note: string, createdAt: string): string | null {
  const valid = new Set(keysValidAt(keys, createdAt));
  for (const k of keys) {
    if (valid.has(k) || !openNote(note, [k]).ok) continue;
    return (
      `signed by key ${k.name}+${toHex(keyId(k.name, k.publicKey))} outside its validity period ` +
      `(checkpoint created ${createdAt}; key valid ${k.createdAt ?? "…"} … ${k.retiredAt ?? "now"})`
    );
  }
  return null;
}

// ------------------------------------------------------------- rotation ---

export function retiredKeysDir(dataDir: string): string {
  return path.join(dataDir, "retired-keys");
}
