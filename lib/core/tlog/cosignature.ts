import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { concatBytes, toBase64, toHex, utf8 } from "../bytes.ts";
import { sha256 } from "../hash.ts";
import { isValidKeyName, splitNote, type NoteSignature } from "../note.ts";
import { parseTypedKey } from "../note-keys.ts";

// C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519 "cosignature/v1"
// type: the statement by a cosigner (a witness) that, as of a time, the checkpoint is the
// largest consistent tree head it has seen for that log. ML-DSA-44 cosignatures (the
// spec's SHOULD for new deployments) are not implemented: no audited ML-DSA package is a
// dependency, and every deployed witness network also speaks this Ed25519 type.

/** §Format: signature type 0x04, "Timestamped Ed25519 witness cosignatures" (signed-note §Signature types). */
export const ALG_COSIGNATURE_V1 = 0x04;
const KEY_SIZE = 32;
const SIG_SIZE = 64;
const TIMESTAMP_SIZE = 8;
/** §Format: "It MUST NOT exceed 2^63 - 1". */
const MAX_TIMESTAMP = (1n << 63n) - 1n;

export type Cosigner = { name: string; publicKey: Uint8Array };

function assertName(name: unknown): asserts name is string {
  if (!isValidKeyName(name))
    throw new Error(`invalid cosigner name ${JSON.stringify(name)}: non-empty, no spaces or '+'`);
}

function assertKey(b: unknown, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== KEY_SIZE) throw new Error(`${what} must be ${KEY_SIZE} bytes`);
}

/** §Format: key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4]. */
export function cosignerKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  assertName(name);
  assertKey(publicKey, "Ed25519 cosigner public key");
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, ALG_COSIGNATURE_V1), publicKey)).slice(0, 4);
}

/** §Format: the cosigner's vkey `<name>+<key id hex>+base64(0x04 || public key)`. */
export function cosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = cosignerKeyId(name, publicKey);
  return `${name}+${toHex(id)}+${toBase64(concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), publicKey))}`;
}

/**
 * Parses a cosigner vkey of type 0x04. Invariants: throws unless the name is valid, the key
 * id is 8 hex digits equal to the one computed from name and key, and the key data is
 * canonical base64 of 0x04 || 32 bytes. A 0x01 (log) key is refused: tlog-policy requires
 * the type matching the key's role, and a log key must never count as a witness.
 */
export function parseCosignerVerifierKey(vkey: string): Cosigner & { keyId: Uint8Array } {
  if (typeof vkey !== "string") throw new Error("cosigner vkey must be a string");
  const [name, idHex, data, ...more] = splitKey(vkey, 3);
  if (more.length || data === undefined)
    throw new Error("cosigner vkey must look like <name>+<key id>+<base64 key data>");
  assertName(name);
  const publicKey = typedKey(data, "cosigner vkey");
  const id = cosignerKeyId(name, publicKey);
  if (!/^[0-9a-f]{8}$/i.test(idHex!) || toHex(id) !== idHex!.toLowerCase()) {
    throw new Error("cosigner vkey: key id does not match name and key (is this a cosignature/v1 key?)");
  }
  return { name, keyId: id, publicKey };
}

/** `PRIVATE+KEY+<name>+<key id>+base64(0x04 || seed)` — the secret, as transparency-dev/formats reads it. */
export function cosignerSignerKey(name: string, seed: Uint8Array): string {
  assertKey(seed, "Ed25519 seed");
  const id = cosignerKeyId(name, ed25519.getPublicKey(seed));
  return `PRIVATE+KEY+${name}+${toHex(id)}+${toBase64(concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), seed))}`;
}

/** Parses a cosigner signer key. Throws unless well formed with a key id matching the derived public key. */
export function parseCosignerSignerKey(s: string): Cosigner & { keyId: Uint8Array; seed: Uint8Array } {
  if (typeof s !== "string") throw new Error("cosigner signer key must be a string");
  const [p1, p2, name, idHex, data, ...more] = splitKey(s, 5);
  if (p1 !== "PRIVATE" || p2 !== "KEY" || more.length || data === undefined) {
    throw new Error("cosigner signer key must look like PRIVATE+KEY+<name>+<key id>+<key data>");
  }
  assertName(name);
  const seed = typedKey(data, "cosigner signer key");
  const publicKey = ed25519.getPublicKey(seed);
  const id = cosignerKeyId(name, publicKey);
  if (toHex(id) !== idHex!.toLowerCase()) throw new Error("cosigner signer key: key id does not match name and key");
  return { name, keyId: id, seed, publicKey };
}

/** A new cosigner key; `seed` (32 bytes) makes it deterministic, else the platform CSPRNG. */
export function generateCosignerKey(name: string, seed?: Uint8Array): Cosigner & { seed: Uint8Array } {
  assertName(name);
  const s = seed === undefined ? randomBytes(KEY_SIZE) : seed.slice();
  assertKey(s, "Ed25519 seed");
  return { name, seed: s, publicKey: ed25519.getPublicKey(s) };
}

/** Splits at the first `parts - 1` '+' (base64 key data may itself contain '+'). */
function splitKey(s: string, parts: number): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = 1; i < parts; i++) {
    const at = rest.indexOf("+");
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

function typedKey(b64: string, what: string): Uint8Array {
  return parseTypedKey(
    b64,
    what,
    ALG_COSIGNATURE_V1,
    (found) =>
      `key type 0x${found.toString(16).padStart(2, "0")} is not 0x04 (cosignature/v1)${found === 0x01 ? " — this is a log (checkpoint) key, not a witness key" : ""}`,
  );
}

function assertTimestamp(t: number): void {
  if (!Number.isSafeInteger(t) || t < 0)
    throw new Error(`cosignature timestamp must be a non-negative integer, got ${t}`);
}

/**
 * §Ed25519 signed message: "cosignature/v1\n" + "time <T>\n" + the whole note text of the
 * checkpoint (final newline included, no signature lines).
 */
export function cosignatureMessage(checkpointText: string, timestamp: number): Uint8Array {
  assertTimestamp(timestamp);
  const lines = checkpointText.split("\n");
  if (!checkpointText.endsWith("\n") || lines.length < 4) {
    throw new Error("cosigned text must be a checkpoint body: at least three lines, each ending in a newline");
  }
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

/**
 * The cosignature line `— <name> base64(key id || u64 timestamp || Ed25519 signature)\n`
 * over `checkpointText` at `timestamp` (POSIX seconds). Deterministic for equal inputs.
 */
export function cosignCheckpoint(
  checkpointText: string,
  signer: { name: string; seed: Uint8Array },
  timestamp: number,
): string {
  assertName(signer.name);
  assertKey(signer.seed, "Ed25519 seed");
  const msg = cosignatureMessage(checkpointText, timestamp);
  const ts = new Uint8Array(TIMESTAMP_SIZE);
  new DataView(ts.buffer).setBigUint64(0, BigInt(timestamp), false);
  const id = cosignerKeyId(signer.name, ed25519.getPublicKey(signer.seed));
  const sig = ed25519.sign(msg, signer.seed);
  return `\u2014 ${signer.name} ${toBase64(concatBytes(id, ts, sig))}\n`;
}

/**
 * The timestamp of a cosignature/v1 signature (the bytes after the key id), or undefined
 * when it is not 8 + 64 bytes or the timestamp exceeds 2^63 - 1 / the safe-integer range.
 */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== TIMESTAMP_SIZE + SIG_SIZE) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, TIMESTAMP_SIZE).getBigUint64(0, false);
  if (t > MAX_TIMESTAMP || t > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(t);
}

/** True iff `sig` (a parsed note signature line) is a valid cosignature/v1 by `cosigner` over `text`. */
export function verifyCosignatureLine(text: string, sig: NoteSignature, cosigner: Cosigner): boolean {
  try {
    if (sig.name !== cosigner.name || sig.keyId !== toHex(cosignerKeyId(cosigner.name, cosigner.publicKey)))
      return false;
    const t = cosignatureTimestamp(sig.signature);
    if (t === undefined) return false;
    return ed25519.verify(sig.signature.subarray(TIMESTAMP_SIZE), cosignatureMessage(text, t), cosigner.publicKey, {
      zip215: false,
    });
  } catch {
    return false;
  }
}

export type CosignatureCheck = {
  /** Cosigners with at least one valid cosignature, with its (largest) timestamp. */
  valid: Array<{ name: string; keyId: string; timestamp: number }>;
  /** Lines naming a known cosigner (name and key id) that do not verify, or are dated in the future. */
  invalid: Array<{ name: string; keyId: string; reason: string }>;
};

/**
 * Checks the cosignatures of `cosigners` on a signed note (tlog-witness: "the client MAY
 * concatenate it to the checkpoint, and use a note verification function configured with the
 * witness keys"). Lines from unknown keys are ignored (signed-note). Never throws: a
 * malformed note gives no valid cosignatures and one `invalid` entry saying why.
 * `now` (POSIX seconds) with `maxFutureSeconds` rejects cosignatures dated later (§Format:
 * "verifiers MAY reject cosignatures with timestamps in the future").
 */
export function checkCosignatures(
  note: string,
  cosigners: Cosigner[],
  opts: { now?: number; maxFutureSeconds?: number } = {},
): CosignatureCheck {
  const parsed = splitNote(note);
  if (!parsed.ok) return { valid: [], invalid: [{ name: "", keyId: "", reason: parsed.reason }] };
  const out: CosignatureCheck = { valid: [], invalid: [] };
  for (const c of cosigners) {
    const id = toHex(cosignerKeyId(c.name, c.publicKey));
    let best: number | undefined;
    for (const sig of parsed.signatures.filter((s) => s.name === c.name && s.keyId === id)) {
      const t = cosignatureTimestamp(sig.signature);
      if (!verifyCosignatureLine(parsed.text, sig, c)) {
        out.invalid.push({ name: c.name, keyId: id, reason: "cosignature does not verify" });
      } else if (opts.now !== undefined && t! > opts.now + (opts.maxFutureSeconds ?? 0)) {
        out.invalid.push({ name: c.name, keyId: id, reason: `cosignature is dated in the future (${t})` });
      } else if (best === undefined || t! > best) best = t;
    }
    if (best !== undefined) out.valid.push({ name: c.name, keyId: id, timestamp: best });
  }
  return out;
}
