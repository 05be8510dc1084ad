import "server-only";
import { followKeyRotations, shortKey } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { latestCheckpointRow } from "./store/checkpoints.ts";
import { allKeyRotations, allSigningKeys } from "./store/signing-keys.ts";

// Keys that cannot be swapped: a key may sign for this log only if it signed the latest
// checkpoint, or a chain of rotation statements (each signed by the previous key) leads from
// that checkpoint's key to it. The statements are self-authenticating — the table holding
// them is only where they are found — so an insider who writes the database but lacks the
// old private key cannot forge a link.

export class KeyChainError extends Error {}

/** Throws KeyChainError (what happened, what to do) when `key` may not sign after the latest checkpoint. */
export async function assertKeyChain(
  tx: SqlDriver,
  key: { keyIdHex: string; verifierKey: string; where: string },
  origin: string,
): Promise<void> {
  const latest = await latestCheckpointRow(tx);
  if (!latest || latest.key_id === key.keyIdHex) return;
  const keys = await allSigningKeys(tx);
  const signer = keys.find((k) => k.key_id === latest.key_id);
  const size = Number(latest.tree_size);
  if (!signer) {
    throw new KeyChainError(
      `the latest checkpoint (tree size ${size}) is signed by key ${latest.key_id}, which signing_keys does not list: ` +
        "this store was altered. Keep a copy, run `ledgerline verify-log --key <your published verifier key>` and do not serve it.",
    );
  }
  const statements = (await allKeyRotations(tx)).map((r) => r.statement);
  const { trusted } = followKeyRotations(
    [{ verifierKey: signer.verifier_key, why: "latest checkpoint" }],
    statements,
    origin,
  );
  if (trusted.some((t) => t.verifierKey === key.verifierKey)) return;
  throw new KeyChainError(
    `signing key ${shortKey(key.verifierKey)} (${key.where}) is not the key of the latest checkpoint ` +
      `(tree size ${size}, key ${shortKey(signer.verifier_key)}), and no rotation statement signed by that key names it. ` +
      "A swapped or restored key file cannot sign for this log, so Ledgerline refuses to start. " +
      `Put back the key ${shortKey(signer.verifier_key)} (see <data dir>/retired-keys/ or your backup) — ` +
      "and to change keys, run `ledgerline signing-key rotate` with it in place (docs/keys.md).",
  );
}
