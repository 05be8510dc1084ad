import { bytesEqual, toHex } from "../bytes.ts";
import { keyFingerprint, keyId, parseVerifierKey, pemToPublicKey } from "../note.ts";
import { check, type BundleCheck } from "./verify-kit.ts";

// The key check: only the caller can say which key to trust. Without one it is skipped and
// the fingerprint must be compared out of band.

function parseTrustedKey(key: string): { publicKey: Uint8Array; name: string | null } {
  const s = key.trim();
  if (s.startsWith("-----BEGIN")) return { publicKey: pemToPublicKey(s), name: null };
  const v = parseVerifierKey(s);
  return { publicKey: v.publicKey, name: v.name };
}

/**
 * The "key" check: the bundle's key is one of the keys the caller pinned (a deployment's
 * current and retired keys, say), and when a pinned key carries a name, the checkpoint's key
 * id is that name's — so a key published for another log cannot stand in. Without a pinned
 * key the check is skipped: the bundle is then at best "consistent but unpinned".
 */
export function checkKey(
  pinnedKeys: string | string[] | undefined,
  publicKey: Uint8Array | null,
  signerKeyId: string | null,
): BundleCheck {
  if (pinnedKeys === undefined) {
    return check(
      "key",
      "skip",
      publicKey
        ? `not pinned: compare the fingerprint ${keyFingerprint(publicKey)} with the one the deployment publishes (GET /api/v1/keys), out of band`
        : "no public key in the bundle",
    );
  }
  const trusted: { publicKey: Uint8Array; name: string | null }[] = [];
  for (const k of typeof pinnedKeys === "string" ? [pinnedKeys] : pinnedKeys) {
    try {
      trusted.push(parseTrustedKey(k));
    } catch (e) {
      return check(
        "key",
        "fail",
        `the key you gave (${k.slice(0, 40)}…) is neither a verifier key string nor an Ed25519 PEM (${(e as Error).message})`,
      );
    }
  }
  if (trusted.length === 0) return check("key", "fail", "no trusted key was given");
  if (!publicKey) return check("key", "fail", "the bundle has no usable public key");
  const match = trusted.find((t) => bytesEqual(t.publicKey, publicKey));
  if (!match) {
    const yours = trusted.map((t) => keyFingerprint(t.publicKey)).join(", ");
    return check(
      "key",
      "fail",
      `the bundle is signed by ${keyFingerprint(publicKey)}, not by a key you trust (${yours})`,
    );
  }
  if (match.name !== null && signerKeyId !== null && toHex(keyId(match.name, match.publicKey)) !== signerKeyId) {
    return check("key", "fail", `the checkpoint is signed under key id ${signerKeyId}, not ${match.name}'s`);
  }
  return check("key", "pass", `signed by the key you trust (${keyFingerprint(publicKey)})`);
}
