import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  generateSigningKey,
  keyFingerprint,
  keyId,
  parseSignerKey,
  signKeyRotation,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { nowIso } from "../db/ids.ts";
import { logHead } from "./store/entries.ts";
import { insertKeyRotation, insertSigningKey, keyRetiredAt } from "./store/signing-keys.ts";
import type { Ledger } from "./ledger.ts";
import { SigningKeyError, retiredKeysDir, signingKeyFile, type SigningKey } from "./signing.ts";

// `ledgerline signing-key rotate`: the old key names its successor in a rotation statement
// (lib/core/key-rotation.ts, signed by both keys), which is
//   1. logged as an entry (the caller's `logStatement`, a meta-audit record), then, in one
//      write transaction holding the writer lock (so no instance signs in between):
//   2. a final checkpoint is signed with the old key — it covers the statement's entry;
//   3. the new key is registered and the statement stored in key_rotations, which retires the
//      old key (nothing is UPDATEd: both tables are append-only);
//   4. file key: the old key file is kept as <data dir>/retired-keys/<key id>.key (0600) and
//      the new one renamed over <data dir>/signing-key; a running server picks it up at its
//      next checkpoint. Env key: the new signer key is returned for LEDGERLINE_SIGNING_KEY.

export type RotationResult = {
  retired: { keyId: string; verifierKey: string; retiredAt: string; file: string | null };
  current: { keyId: string; verifierKey: string; fingerprint: string; createdAt: string; file: string | null };
  /** The final checkpoint signed by the old key, or null when the log had not grown since the last one. */
  finalCheckpoint: { treeSize: number; keyId: string } | null;
  /** The rotation statement (signed note) and the entry that logs it. */
  statement: string;
  statementSeq: number;
  /** Env keys only: the new signer key string, for LEDGERLINE_SIGNING_KEY (a secret). */
  signerKey?: string;
};

export type RotateOptions = {
  /** Appends the statement to the log (meta-audit) and returns its seq; throws to abort the rotation. */
  logStatement: (statement: string, newVerifierKey: string) => Promise<number>;
  /** Env keys: the new signer key (default: generated). */
  newSignerKey?: string;
};

type Next = { name: string; seed: Uint8Array; publicKey: Uint8Array; keyIdHex: string; verifierKey: string };

function nextKey(old: SigningKey, fallbackName: string, given?: string): Next {
  const seedOf = given ? parseSignerKey(given) : generateSigningKey(old.name || fallbackName);
  const k = generateSigningKey(seedOf.name, seedOf.seed);
  const publicKey = k.publicKey;
  if (k.name !== old.name) throw new SigningKeyError(`the new key is named "${k.name}", the log's key "${old.name}"`);
  return {
    name: k.name,
    seed: k.seed,
    publicKey,
    keyIdHex: toHex(keyId(k.name, publicKey)),
    verifierKey: verifierKeyString(k.name, publicKey),
  };
}

export async function rotateSigningKey(ledger: Ledger, opts: RotateOptions): Promise<RotationResult> {
  const config = ledger.config;
  const env = Boolean(config.signingKey);
  const old = await ledger.signingKey();
  const next = nextKey(old, config.keyName, opts.newSignerKey);
  if (next.keyIdHex === old.keyIdHex) throw new SigningKeyError("the new key is the current key; nothing changed.");
  const treeSize = await logHead(ledger.db);
  const statement = signKeyRotation(
    {
      origin: config.origin,
      oldKey: old.verifierKey,
      newKey: next.verifierKey,
      treeSize,
      time: new Date().toISOString(),
    },
    old,
    next,
  );
  const statementSeq = await opts.logStatement(statement, next.verifierKey);
  const swap = env ? null : prepareFileSwap(config.dataDir, old, next);
  let switchedAt = "";
  try {
    const final = await ledger.sequencer.checkpointWith(old, async (tx) => {
      const retiredAt = await keyRetiredAt(tx, old.keyIdHex);
      if (retiredAt) {
        throw new SigningKeyError(
          `signing key ${old.keyIdHex} was already retired at ${retiredAt} (rotated meanwhile?); nothing changed.`,
        );
      }
      swap?.check();
      switchedAt = nowIso();
      await insertSigningKey(tx, next, switchedAt);
      await insertKeyRotation(tx, {
        new_key_id: next.keyIdHex,
        old_key_id: old.keyIdHex,
        tree_size: treeSize,
        rotated_at: switchedAt,
        statement,
        entry_seq: statementSeq,
      });
      // Still inside the transaction: should COMMIT fail, the new file has no statement in
      // the store and the server refuses it at start, naming the old key to put back.
      swap?.commit();
    });
    const current = {
      keyId: next.keyIdHex,
      verifierKey: next.verifierKey,
      fingerprint: keyFingerprint(next.publicKey),
    };
    return {
      retired: {
        keyId: old.keyIdHex,
        verifierKey: old.verifierKey,
        retiredAt: switchedAt,
        file: swap?.retiredFile ?? null,
      },
      current: { ...current, createdAt: switchedAt, file: swap?.file ?? null },
      finalCheckpoint: final ? { treeSize: final.treeSize, keyId: final.keyId } : null,
      statement,
      statementSeq,
      ...(env ? { signerKey: signerKeyString(next.name, next.seed) } : {}),
    };
  } finally {
    swap?.cleanup();
  }
}

/** The file-key swap: the new key written aside first, checked and renamed inside the transaction. */
function prepareFileSwap(dataDir: string, old: SigningKey, next: Next) {
  const file = signingKeyFile(dataDir);
  const retiredDir = retiredKeysDir(dataDir);
  const retiredFile = path.join(retiredDir, `${old.keyIdHex}.key`);
  fs.mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, signerKeyString(next.name, next.seed) + "\n", { mode: 0o600, flag: "wx" });
  return {
    file,
    retiredFile,
    check() {
      // The file must still hold the key we are retiring (no concurrent rotation).
      if (!fs.readFileSync(file, "utf8").includes(`+${old.keyIdHex}+`)) {
        throw new SigningKeyError(`${file} no longer holds key ${old.keyIdHex} (rotated meanwhile?); nothing changed.`);
      }
    },
    commit() {
      // Keep the old key (a hard link, so the file is never missing), then swap the new one in atomically.
      if (fs.existsSync(retiredFile)) fs.rmSync(retiredFile);
      try {
        fs.linkSync(file, retiredFile);
      } catch {
        fs.copyFileSync(file, retiredFile);
      }
      fs.chmodSync(retiredFile, 0o600);
      fs.renameSync(tmp, file);
    },
    cleanup() {
      fs.rmSync(tmp, { force: true });
    },
  };
}
