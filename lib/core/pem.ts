import { bytesEqual, concatBytes, fromBase64, toBase64, toHex } from "./bytes.ts";
import { sha256 } from "./hash.ts";
import { KEY_SIZE, assertKeyBytes } from "./note-keys.ts";

// An Ed25519 public key as the files and tools auditors use see it: SPKI PEM (openssl)
// and a fingerprint to compare out of band.

// DER of SubjectPublicKeyInfo { AlgorithmIdentifier { id-Ed25519 (1.3.101.112) }, BIT STRING }
// up to the 32 key bytes (RFC 8410 §4); fixed because the key length is fixed.
const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
const PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
const PEM_END = "-----END PUBLIC KEY-----";

function spkiDer(publicKey: Uint8Array): Uint8Array {
  assertKeyBytes(publicKey, "Ed25519 public key");
  return concatBytes(ED25519_SPKI_PREFIX, publicKey);
}

/** SPKI PEM ("BEGIN PUBLIC KEY", RFC 8410) of an Ed25519 public key, as openssl reads it. */
export function publicKeyToPem(publicKey: Uint8Array): string {
  const b64 = toBase64(spkiDer(publicKey));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `${PEM_BEGIN}\n${lines.join("\n")}\n${PEM_END}\n`;
}

/**
 * The 32-byte Ed25519 key in an SPKI PEM. Strict: exactly one PUBLIC KEY block (surrounding
 * whitespace and CRLF line endings tolerated), canonical base64 body lines of at most 64
 * characters, and DER that is exactly the Ed25519 SPKI encoding. Throws otherwise.
 */
export function pemToPublicKey(pem: string): Uint8Array {
  if (typeof pem !== "string") throw new Error("PEM must be a string");
  const lines = pem.replaceAll("\r\n", "\n").trim().split("\n");
  if (lines.length < 3 || lines[0] !== PEM_BEGIN || lines[lines.length - 1] !== PEM_END) {
    throw new Error(`PEM must be a single "${PEM_BEGIN}" block`);
  }
  const body = lines.slice(1, -1);
  if (body.some((l) => l === "" || l.length > 64)) throw new Error("PEM body lines must be 1–64 characters");
  let der: Uint8Array;
  try {
    der = fromBase64(body.join(""));
  } catch (e) {
    throw new Error(`PEM body is not valid base64 (${(e as Error).message})`);
  }
  if (
    der.length !== ED25519_SPKI_PREFIX.length + KEY_SIZE ||
    !bytesEqual(der.subarray(0, ED25519_SPKI_PREFIX.length), ED25519_SPKI_PREFIX)
  ) {
    throw new Error("PEM does not hold an Ed25519 SubjectPublicKeyInfo");
  }
  return der.slice(ED25519_SPKI_PREFIX.length);
}

/**
 * Fingerprint for comparing a key out of band: "SHA256:" followed by the SHA-256 of the
 * key's SPKI DER as 16 colon-separated groups of 4 lowercase hex digits, e.g.
 * "SHA256:1a2b:3c4d:…". Removing the prefix and colons gives the output of
 * `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum`.
 */
export function keyFingerprint(publicKey: Uint8Array): string {
  const hex = toHex(sha256(spkiDer(publicKey)));
  return `SHA256:${(hex.match(/.{4}/g) ?? []).join(":")}`;
}
