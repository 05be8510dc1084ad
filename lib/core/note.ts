import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { bytesEqual, concatBytes, fromBase64, hasLoneSurrogate, toBase64, toHex, utf8 } from "./bytes.ts";
import { sha256 } from "./hash.ts";

// C2SP signed-note (Ed25519, signature type 0x01) and tlog-checkpoint, as used by SPEC §3.
// Byte-compatible with golang.org/x/mod/sumdb/note, so auditors can check our checkpoints
// with the Go tooling and we can check theirs.

const ALG_ED25519 = 0x01;
const KEY_SIZE = 32;
const SIG_SIZE = 64;
const SIG_PREFIX = "\u2014 "; // em dash, space
// Go's note package refuses more than 100 signature lines; C2SP requires accepting at least 16.
const MAX_SIGNATURES = 100;

// Unicode White_Space characters (what Go's unicode.IsSpace reports), which key names must
// not contain; JavaScript's \s differs (it includes U+FEFF and omits U+0085).
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// ASCII control characters other than newline are forbidden anywhere in a signed note.
const FORBIDDEN_CONTROL = /[\u0000-\u0009\u000b-\u001f]/u;

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

function assertKeyName(name: unknown): asserts name is string {
  if (!isValidKeyName(name)) {
    throw new Error(`invalid key name ${JSON.stringify(name)}: it must be non-empty and contain no spaces or '+'`);
  }
}

function assertKeyBytes(b: unknown, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== KEY_SIZE) throw new Error(`${what} must be ${KEY_SIZE} bytes`);
}

/** Splits at the first `sep` (like Go's strings.Cut); base64 may itself contain '+'. */
function cut(s: string, sep: string): [string, string] | undefined {
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

function parseTypedKey(b64: string, what: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch (e) {
    throw new Error(`${what}: key data is not valid base64 (${(e as Error).message})`);
  }
  if (raw.length !== 1 + KEY_SIZE) throw new Error(`${what}: key data must be 33 bytes (type byte + 32-byte key)`);
  if (raw[0] !== ALG_ED25519)
    throw new Error(`${what}: unsupported signature type 0x${toHex(raw.subarray(0, 1))} (only 0x01 Ed25519)`);
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

/** Why `text` cannot be the text of a signed note, or undefined when it can. */
function noteTextProblem(text: unknown): string | undefined {
  if (typeof text !== "string" || text === "") return "note text must be a non-empty string";
  if (!text.endsWith("\n")) return "note text must end with a newline";
  if (hasLoneSurrogate(text)) return "note text is not valid Unicode (lone surrogate)";
  if (FORBIDDEN_CONTROL.test(text)) return "note text contains a control character other than newline";
  return undefined;
}

/**
 * Signs `text` as a C2SP signed note: `text + "\n" + "— <name> <base64(keyid || sig)>\n"`
 * per signer, in the given order. Ed25519 is deterministic, so equal inputs give equal notes.
 * Invariants: text is non-empty, ends in "\n", has no control characters but "\n"; it may
 * contain blank lines (C2SP allows them: the last blank line separates the signatures).
 * Throws on invalid text, names, seeds, an empty or duplicate signer list.
 */
export function signNote(text: string, signers: Array<{ name: string; seed: Uint8Array }>): string {
  const problem = noteTextProblem(text);
  if (problem) throw new Error(`signNote: ${problem}`);
  if (!Array.isArray(signers) || signers.length === 0) throw new Error("signNote: at least one signer is required");
  const message = utf8(text);
  const seen = new Set<string>();
  let out = `${text}\n`;
  for (const { name, seed } of signers) {
    assertKeyName(name);
    assertKeyBytes(seed, "Ed25519 seed");
    const id = keyId(name, ed25519.getPublicKey(seed));
    const tag = `${name}+${toHex(id)}`;
    if (seen.has(tag)) throw new Error(`signNote: duplicate signer ${tag}`);
    seen.add(tag);
    const sig = ed25519.sign(message, seed);
    out += `${SIG_PREFIX}${name} ${toBase64(concatBytes(id, sig))}\n`;
  }
  return out;
}

export type OpenedNote =
  | {
      ok: true;
      text: string;
      verified: Array<{ name: string; keyId: string }>;
      unverified: Array<{ name: string; keyId: string }>;
    }
  | { ok: false; reason: string };

/**
 * Parses a signed note and checks its signatures against `verifiers` (C2SP signed-note).
 * Invariants: never throws. ok only when at least one signature by a known key (same name
 * AND key id) verifies; a signature by a known key that does not verify rejects the whole
 * note; signatures by unknown keys are listed as unverified and otherwise ignored. `text`
 * is everything before the last blank line, final newline included — the signed bytes.
 */
export function openNote(note: string, verifiers: Array<{ name: string; publicKey: Uint8Array }>): OpenedNote {
  try {
    return openNoteUnsafe(note, verifiers);
  } catch (e) {
    return { ok: false, reason: `malformed input: ${(e as Error).message}` };
  }
}

/** One signature line of a signed note, parsed but not verified. */
export type NoteSignature = {
  /** Key name as written on the line. */
  name: string;
  /** The first 4 bytes of the decoded signature, as 8 lowercase hex digits. */
  keyId: string;
  /** The decoded bytes after the key id (the algorithm's signature; for cosignatures timestamp || signature). */
  signature: Uint8Array;
  /** The whole line, "— " prefix included, without its newline — kept intact to copy it elsewhere. */
  line: string;
};

export type SplitNote = { ok: true; text: string; signatures: NoteSignature[] } | { ok: false; reason: string };

/**
 * Splits a signed note into its text and signature lines without verifying anything
 * (C2SP signed-note §Format). Invariants: never throws; `text` is everything before the
 * last blank line, final newline included; every line is well formed (em dash, space,
 * valid key name, space, canonical base64 of at least 5 bytes) or the whole note is
 * rejected; at most MAX_SIGNATURES lines; duplicate lines are kept (callers decide).
 */
export function splitNote(note: string): SplitNote {
  if (typeof note !== "string") return { ok: false, reason: "note must be a string" };
  if (hasLoneSurrogate(note)) return { ok: false, reason: "malformed note: not valid Unicode (lone surrogate)" };
  if (FORBIDDEN_CONTROL.test(note)) {
    return {
      ok: false,
      reason: "malformed note: contains a control character other than newline (CRLF line endings are not allowed)",
    };
  }
  const split = note.lastIndexOf("\n\n");
  if (split < 0) return { ok: false, reason: "malformed note: no blank line between the text and the signatures" };
  const text = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (sigBlock === "" || !sigBlock.endsWith("\n")) {
    return { ok: false, reason: "malformed note: the signature block must be non-empty and end with a newline" };
  }
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES)
    return { ok: false, reason: `malformed note: more than ${MAX_SIGNATURES} signature lines` };
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: `malformed note: ${where} does not start with "— "` };
    const parts = cut(line.slice(SIG_PREFIX.length), " ");
    if (!parts) return { ok: false, reason: `malformed note: ${where} has no space between key name and signature` };
    const [name, b64] = parts;
    if (!isValidKeyName(name)) return { ok: false, reason: `malformed note: ${where} has an invalid key name` };
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64);
    } catch {
      return { ok: false, reason: `malformed note: ${where} signature is not valid base64` };
    }
    if (raw.length < 5) return { ok: false, reason: `malformed note: ${where} signature is too short` };
    signatures.push({ name, keyId: toHex(raw.subarray(0, 4)), signature: raw.slice(4), line });
  }
  return { ok: true, text, signatures };
}

/**
 * Adds signature lines (e.g. witness cosignatures) to a signed note, keeping every line it
 * already has intact and in order; a line already present is not added twice.
 * Invariant: throws unless `note` is a well-formed signed note and every added line is a
 * well-formed signature line (with or without its final newline).
 */
export function appendSignatures(note: string, lines: string[]): string {
  const parsed = splitNote(note);
  if (!parsed.ok) throw new Error(`appendSignatures: ${parsed.reason}`);
  const have = new Set(parsed.signatures.map((s) => s.line));
  let out = note;
  for (const raw of lines) {
    const line = raw.endsWith("\n") ? raw.slice(0, -1) : raw;
    const check = splitNote(`x\n\n${line}\n`);
    if (!check.ok || check.signatures.length !== 1) {
      throw new Error(`appendSignatures: not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (have.has(line)) continue;
    have.add(line);
    out += `${line}\n`;
  }
  return out;
}

function openNoteUnsafe(note: string, verifiers: Array<{ name: string; publicKey: Uint8Array }>): OpenedNote {
  const parsed = splitNote(note);
  if (!parsed.ok) return parsed;
  const { text, signatures } = parsed;

  // Index the trusted keys by name + key id, the pair C2SP says identifies a key.
  if (!Array.isArray(verifiers)) return { ok: false, reason: "verifiers must be an array" };
  const known = new Map<string, Uint8Array[]>();
  for (const v of verifiers) {
    if (!isValidKeyName(v?.name) || !(v.publicKey instanceof Uint8Array) || v.publicKey.length !== KEY_SIZE) {
      return {
        ok: false,
        reason: `invalid verifier ${JSON.stringify(v?.name)}: needs a valid key name and a 32-byte public key`,
      };
    }
    const tag = `${v.name}+${toHex(keyId(v.name, v.publicKey))}`;
    const keys = known.get(tag) ?? [];
    if (!keys.some((k) => bytesEqual(k, v.publicKey))) keys.push(v.publicKey);
    known.set(tag, keys);
  }

  const message = utf8(text);
  const verified: Array<{ name: string; keyId: string }> = [];
  const unverified: Array<{ name: string; keyId: string }> = [];
  const verifiedTags = new Set<string>();
  const unverifiedLines = new Set<string>();
  for (const sig of signatures) {
    const tag = `${sig.name}+${sig.keyId}`;
    const keys = known.get(tag);
    if (!keys) {
      // Unknown keys are ignored (C2SP), e.g. witness cosignatures or a rotated-out key.
      if (!unverifiedLines.has(sig.line)) {
        unverifiedLines.add(sig.line);
        unverified.push({ name: sig.name, keyId: sig.keyId });
      }
      continue;
    }
    if (keys.length > 1)
      return { ok: false, reason: `ambiguous key ${tag}: several trusted public keys share this name and key id` };
    // Every signature line from a known key is checked, duplicates too: a bad one rejects the note.
    if (!verifySignature(sig.signature, message, keys[0]!)) {
      return { ok: false, reason: `invalid signature for key ${tag}: the note was altered or not signed by this key` };
    }
    if (!verifiedTags.has(tag)) {
      verifiedTags.add(tag);
      verified.push({ name: sig.name, keyId: sig.keyId });
    }
  }
  if (verified.length === 0) {
    return {
      ok: false,
      reason: `note has no verifiable signatures: none of its ${signatures.length} signature line(s) is from a trusted key`,
    };
  }
  return { ok: true, text, verified, unverified };
}

function verifySignature(sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (sig.length !== SIG_SIZE) return false;
  try {
    // zip215: false is RFC 8032's strict verification (canonical encodings only), so a
    // signature has exactly one accepted encoding.
    return ed25519.verify(sig, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * The C2SP tlog-checkpoint note text: origin, decimal tree size, base64 root hash, then any
 * extension lines, each ending in "\n". Invariants: origin is non-empty without newline or
 * control characters; size is a non-negative safe integer; rootHash is 32 bytes; extension
 * lines are non-empty. Throws otherwise.
 */
export function formatCheckpoint(c: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}): string {
  const lineProblem = (s: unknown): boolean =>
    typeof s !== "string" || s === "" || s.includes("\n") || FORBIDDEN_CONTROL.test(s) || hasLoneSurrogate(s);
  if (lineProblem(c.origin))
    throw new Error("checkpoint origin must be a non-empty single line without control characters");
  if (!Number.isSafeInteger(c.size) || c.size < 0)
    throw new Error("checkpoint size must be a non-negative safe integer");
  if (!(c.rootHash instanceof Uint8Array) || c.rootHash.length !== 32)
    throw new Error("checkpoint root hash must be 32 bytes");
  const extensions = c.extensions ?? [];
  if (extensions.some(lineProblem)) throw new Error("checkpoint extension lines must be non-empty single lines");
  return [c.origin, String(c.size), toBase64(c.rootHash), ...extensions].map((l) => `${l}\n`).join("");
}

/**
 * Parses checkpoint note text (as returned in `openNote(...).text`). Invariants: throws with
 * a specific message unless the text ends in "\n", has origin, size and root lines, the
 * size is decimal without leading zeros (and a safe integer), the root is canonical base64
 * of 32 bytes, and every extension line is non-empty.
 */
export function parseCheckpoint(text: string): {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
} {
  if (typeof text !== "string" || !text.endsWith("\n")) throw new Error("checkpoint: text must end with a newline");
  if (FORBIDDEN_CONTROL.test(text) || hasLoneSurrogate(text))
    throw new Error("checkpoint: text contains control characters or invalid Unicode");
  const lines = text.slice(0, -1).split("\n");
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    throw new Error("checkpoint: needs at least three lines (origin, tree size, root hash)");
  }
  if (origin === "") throw new Error("checkpoint: origin line is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine))
    throw new Error(`checkpoint: tree size ${JSON.stringify(sizeLine)} is not a decimal number without leading zeros`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new Error(`checkpoint: tree size ${sizeLine} is too large`);
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootLine);
  } catch (e) {
    throw new Error(`checkpoint: root hash is not valid base64 (${(e as Error).message})`);
  }
  if (rootHash.length !== 32) throw new Error(`checkpoint: root hash must be 32 bytes, got ${rootHash.length}`);
  if (extensions.some((l) => l === "")) throw new Error("checkpoint: extension lines must be non-empty");
  return { origin, size, rootHash, extensions };
}

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
