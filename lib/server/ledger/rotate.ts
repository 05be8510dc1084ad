import "server-only";
import fs from "node:fs";
import path from "node:path";
import {
  generateSigningKey,
  keyFingerprint,
  keyId,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { nowIso } from "../db/ids.ts";
import { insertSigningKey, keyRetiredAt, retireOtherKeys } from "./store/signing-keys.ts";
import type { Ledger } from "./ledger.ts";
import { ENV_KEY_ROTATION, SigningKeyError, retiredKeysDir, signingKeyFile } from "./signing.ts";

// `ledgerline signing-key rotate`: one write transaction (holding the writer
// lock, so no instance signs in between) that
//   1. signs a final checkpoint with the old key if the log grew since the last,
//   2. retires the old key (signing_keys.retired_at = now),
//   3. registers the new key (created_at = the same instant),
//   4. keeps the old key file as <data dir>/retired-keys/<key id>.key (0600) and
//      atomically renames the new one over <data dir>/signing-key (0600).
// A running server notices the new file at its next checkpoint (ledger.signingKey
// compares the file's inode/mtime) and signs with the new key from then on.

export type RotationResult = {
  retired: { keyId: string; verifierKey: string; retiredAt: string; file: string };
  current: { keyId: string; verifierKey: string; fingerprint: string; createdAt: string; file: string };
  /** The final checkpoint signed by the old key, or null when the log had not grown since the last one. */
  finalCheckpoint: { treeSize: number; keyId: string } | null;
};

export async function rotateSigningKey(ledger: Ledger): Promise<RotationResult> {
  const config = ledger.config;
  if (config.signingKey) throw new SigningKeyError(ENV_KEY_ROTATION);
  const old = await ledger.signingKey();
  const file = signingKeyFile(config.dataDir);
  const retiredDir = retiredKeysDir(config.dataDir);
  const retiredFile = path.join(retiredDir, `${old.keyIdHex}.key`);
  const next = generateSigningKey(old.name || config.keyName);
  const nextId = toHex(keyId(next.name, next.publicKey));
  const nextVerifier = verifierKeyString(next.name, next.publicKey);

  fs.mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, signerKeyString(next.name, next.seed) + "\n", { mode: 0o600, flag: "wx" });
  let switchedAt = "";
  try {
    const final = await ledger.sequencer.checkpointWith(old, async (tx) => {
      const retiredAt = await keyRetiredAt(tx, old.keyIdHex);
      if (retiredAt) {
        throw new SigningKeyError(
          `signing key ${old.keyIdHex} was already retired at ${retiredAt} (rotated meanwhile?); nothing changed.`,
        );
      }
      // The file must still hold the key we are retiring (no concurrent rotation).
      if (!fs.readFileSync(file, "utf8").includes(`+${old.keyIdHex}+`)) {
        throw new SigningKeyError(`${file} no longer holds key ${old.keyIdHex} (rotated meanwhile?); nothing changed.`);
      }
      switchedAt = nowIso();
      await retireOtherKeys(tx, nextId, switchedAt);
      await insertSigningKey(
        tx,
        { keyIdHex: nextId, name: next.name, publicKey: next.publicKey, verifierKey: nextVerifier },
        switchedAt,
      );
      // Keep the old key (a hard link, so the file is never missing), then swap
      // the new one in atomically. Still inside the transaction: should COMMIT
      // fail, the server loads the new file and registers it (retiring the old).
      if (fs.existsSync(retiredFile)) fs.rmSync(retiredFile);
      try {
        fs.linkSync(file, retiredFile);
      } catch {
        fs.copyFileSync(file, retiredFile);
      }
      fs.chmodSync(retiredFile, 0o600);
      fs.renameSync(tmp, file);
    });
    return {
      retired: { keyId: old.keyIdHex, verifierKey: old.verifierKey, retiredAt: switchedAt, file: retiredFile },
      current: {
        keyId: nextId,
        verifierKey: nextVerifier,
        fingerprint: keyFingerprint(next.publicKey),
        createdAt: switchedAt,
        file,
      },
      finalCheckpoint: final ? { treeSize: final.treeSize, keyId: final.keyId } : null,
    };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
