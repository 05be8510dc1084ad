import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { bytesEqual, concatBytes, fromBase64, hasLoneSurrogate, toBase64, toHex, utf8 } from "./bytes.ts";
import { sha256 } from "./hash.ts";

// C2SP signed-note keys (Ed25519, signature type 0x01): names, key ids, and the verifier
// and signer key strings, byte-compatible with golang.org/x/mod/sumdb/note.

export const ALG_ED25519 = 0x01;
export const KEY_SIZE = 32;

// Unicode White_Space characters (what Go's unicode.IsSpace reports), which key names must
// not contain; JavaScript's \s differs (it includes U+FEFF and omits U+0085).
export const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// ASCII control characters other than newline are forbidden anywhere in a signed note.
export const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/u;

/** True when `name` is a valid C2SP key name: non-empty, no Unicode spaces, no '+'. */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name !== "" &&
    !name.includes("+") &&
    !UNICODE_SPACE.test(name) &&
    !FORBIDDEN_CONTROL.test(name) &&
    !hasLoneSurrogate(name)
  );
}

export function assertKeyName(name: unknown): asserts name is string {
  if (!isValidKeyName(name)) {
    throw new Error(`invalid key name ${JSON.stringify(name)}: it must be non-empty and contain no spaces or '+'`);
  }
}

export function assertKeyBytes(b: unknown, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== KEY_SIZE) throw new Error(`${what} must be ${KEY_SIZE} bytes`);
}

/** Splits at the first `sep` (like Go's strings.Cut); base64 may itself contain '+'. */
export function cut(s: string, sep: string): [string, string] | undefined {
  const i = s.indexOf(sep);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + sep.length)];
}

/**
 * C2SP key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || publicKey).
 * Invariant: throws on an invalid key name or a public key that is not 32 bytes.
 */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertKeyName(name);
  assertKeyBytes(publicKey, "Ed25519 public key");
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ALG_ED25519), publicKey)).slice(0, 4);
}

/** Verifier key string `<name>+<key id, 8 hex>+<base64(0x01 || publicKey)>` (SPEC §3). */
export function verifierKeyString(name: string, publicKey: Uint8Array): string {
  const id = keyId(name, publicKey);
  return `${name}+${toHex(id)}+${toBase64(concatBytes(Uint8Array.of(ALG_ED25519), publicKey))}`;
}

function parseKeyId(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error("key id must be 8 hex digits");
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The key data of a key string: base64 of a type byte and a 32-byte key, the type byte
 * `alg` (0x01 Ed25519 for logs, 0x04 cosignature/v1 for witnesses). `wrongType` says what
 * a key of another type is, so the error names the mix-up.
 */
export function parseTypedKey(
  b64: string,
  what: string,
  alg = ALG_ED25519,
  wrongType: (found: number) => string = (found) =>
    `unsupported signature type 0x${found.toString(16).padStart(2, "0")} (only 0x01 Ed25519)`,
): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch (e) {
    throw new Error(`${what}: key data is not valid base64 (${(e as Error).message})`);
  }
  if (raw.length !== 1 + KEY_SIZE) throw new Error(`${what}: key data must be 33 bytes (type byte + 32-byte key)`);
  if (raw[0] !== alg) throw new Error(`${what}: ${wrongType(raw[0]!)}`);
  return raw.slice(1);
}

/**
 * Parses a verifier key string. Invariants: throws unless the name is valid, the key id is
 * 8 hex digits, the key data is canonical base64 of 0x01 || 32-byte key, and the key id is
 * the one computed from name and key.
 */
export function parseVerifierKey(s: string): { name: string; keyId: Uint8Array; publicKey: Uint8Array } {
  if (typeof s !== "string") throw new Error("verifier key must be a string");
  const a = cut(s, "+");
  const b = a && cut(a[1], "+");
  if (!a || !b) throw new Error("verifier key must look like <name>+<key id>+<key data>");
  const [name] = a;
  const [idHex, keyB64] = b;
  assertKeyName(name);
  const id = parseKeyId(idHex);
  const publicKey = parseTypedKey(keyB64, "verifier key");
  if (!bytesEqual(id, keyId(name, publicKey))) throw new Error("verifier key: key id does not match name and key");
  return { name, keyId: id, publicKey };
}

/**
 * A new Ed25519 signing key for `name`. `seed` (32 bytes) makes it deterministic; without
 * it the seed comes from the platform CSPRNG. The returned seed is the private key.
 */
export function generateSigningKey(
  name: string,
  seed?: Uint8Array,
): { name: string; seed: Uint8Array; publicKey: Uint8Array } {
  assertKeyName(name);
  const s = seed === undefined ? randomBytes(KEY_SIZE) : seed.slice();
  assertKeyBytes(s, "Ed25519 seed");
  return { name, seed: s, publicKey: ed25519.getPublicKey(s) };
}

/** Signer key string `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>` — a secret. */
export function signerKeyString(name: string, seed: Uint8Array): string {
  assertKeyBytes(seed, "Ed25519 seed");
  const id = keyId(name, ed25519.getPublicKey(seed));
  return `PRIVATE+KEY+${name}+${toHex(id)}+${toBase64(concatBytes(Uint8Array.of(ALG_ED25519), seed))}`;
}

/**
 * Parses a signer key string. Invariant: throws unless it is well formed and its key id
 * matches the public key derived from the seed (so a corrupted secret is caught early).
 */
export function parseSignerKey(s: string): {
  name: string;
  keyId: Uint8Array;
  seed: Uint8Array;
  publicKey: Uint8Array;
} {
  if (typeof s !== "string") throw new Error("signer key must be a string");
  const p1 = cut(s, "+");
  const p2 = p1 && cut(p1[1], "+");
  const p3 = p2 && cut(p2[1], "+");
  const p4 = p3 && cut(p3[1], "+");
  if (!p1 || !p2 || !p3 || !p4 || p1[0] !== "PRIVATE" || p2[0] !== "KEY") {
    throw new Error("signer key must look like PRIVATE+KEY+<name>+<key id>+<key data>");
  }
  const name = p3[0];
  assertKeyName(name);
  const id = parseKeyId(p4[0]);
  const seed = parseTypedKey(p4[1], "signer key");
  const publicKey = ed25519.getPublicKey(seed);
  if (!bytesEqual(id, keyId(name, publicKey))) throw new Error("signer key: key id does not match name and key");
  return { name, keyId: id, seed, publicKey };
}
