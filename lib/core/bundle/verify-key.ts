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

function keyProblem(trustedKey: string, publicKey: Uint8Array | null, signerKeyId: string | null): string | null {
  let trusted: { publicKey: Uint8Array; name: string | null };
  try {
    trusted = parseTrustedKey(trustedKey);
  } catch (e) {
    return `the key you gave is neither a verifier key string nor an Ed25519 PEM (${(e as Error).message})`;
  }
  if (!publicKey) return "the bundle has no usable public key";
  if (!bytesEqual(trusted.publicKey, publicKey))
    return `the bundle is signed by ${keyFingerprint(publicKey)}, not by the key you trust (${keyFingerprint(trusted.publicKey)})`;
  if (trusted.name !== null && signerKeyId !== null && toHex(keyId(trusted.name, trusted.publicKey)) !== signerKeyId)
    return `the checkpoint is signed under key id ${signerKeyId}, not ${trusted.name}'s`;
  return null;
}

/** The key check: the bundle's key is `trustedKey` (a verifier key string or an SPKI PEM). */
export function checkKey(
  trustedKey: string | undefined,
  publicKey: Uint8Array | null,
  signerKeyId: string | null,
): BundleCheck {
  if (trustedKey === undefined) {
    return check(
      "key",
      "skip",
      publicKey
        ? `not pinned: compare the fingerprint ${keyFingerprint(publicKey)} with the one the deployment publishes (GET /api/v1/keys), out of band`
        : "no public key in the bundle",
    );
  }
  const problem = keyProblem(trustedKey, publicKey, signerKeyId);
  return problem
    ? check("key", "fail", problem)
    : check("key", "pass", `signed by the key you trust (${keyFingerprint(publicKey!)})`);
}
