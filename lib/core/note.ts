import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesEqual, concatBytes, fromBase64, hasLoneSurrogate, toBase64, toHex, utf8 } from "./bytes.ts";

import { FORBIDDEN_CONTROL, KEY_SIZE, assertKeyBytes, assertKeyName, cut, isValidKeyName, keyId } from "./note-keys.ts";

// C2SP signed-note (Ed25519, signature type 0x01) and tlog-checkpoint, as used by SPEC §3.
// Byte-compatible with golang.org/x/mod/sumdb/note, so auditors can check our checkpoints
// with the Go tooling and we can check theirs. Keys and key strings: note-keys.ts; the
// checkpoint body: checkpoint.ts; PEM and fingerprints: pem.ts (all re-exported here).
export {
  generateSigningKey,
  isValidKeyName,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  signerKeyString,
  verifierKeyString,
} from "./note-keys.ts";
export { formatCheckpoint, parseCheckpoint } from "./checkpoint.ts";
export { keyFingerprint, pemToPublicKey, publicKeyToPem } from "./pem.ts";

const SIG_SIZE = 64;
const SIG_PREFIX = "\u2014 "; // em dash, space
// Go's note package refuses more than 100 signature lines; C2SP requires accepting at least 16.
const MAX_SIGNATURES = 100;
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

type Verifier = { name: string; publicKey: Uint8Array };
type Signer = { name: string; keyId: string };

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
  const sigBlock = note.slice(split + 2);
  if (sigBlock === "" || !sigBlock.endsWith("\n")) {
    return { ok: false, reason: "malformed note: the signature block must be non-empty and end with a newline" };
  }
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES)
    return { ok: false, reason: `malformed note: more than ${MAX_SIGNATURES} signature lines` };
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    const sig = parseSignatureLine(line, `signature line ${i + 1}`);
    if ("reason" in sig) return { ok: false, reason: sig.reason };
    signatures.push(sig);
  }
  return { ok: true, text: note.slice(0, split + 1), signatures };
}

function parseSignatureLine(line: string, where: string): NoteSignature | { reason: string } {
  if (!line.startsWith(SIG_PREFIX)) return { reason: `malformed note: ${where} does not start with "— "` };
  const parts = cut(line.slice(SIG_PREFIX.length), " ");
  if (!parts) return { reason: `malformed note: ${where} has no space between key name and signature` };
  const [name, b64] = parts;
  if (!isValidKeyName(name)) return { reason: `malformed note: ${where} has an invalid key name` };
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    return { reason: `malformed note: ${where} signature is not valid base64` };
  }
  if (raw.length < 5) return { reason: `malformed note: ${where} signature is too short` };
  return { name, keyId: toHex(raw.subarray(0, 4)), signature: raw.slice(4), line };
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

/** The trusted keys by name + key id, the pair C2SP says identifies a key; or why one is unusable. */
function indexVerifiers(verifiers: Verifier[]): Map<string, Uint8Array[]> | { reason: string } {
  if (!Array.isArray(verifiers)) return { reason: "verifiers must be an array" };
  const known = new Map<string, Uint8Array[]>();
  for (const v of verifiers) {
    if (!isValidKeyName(v?.name) || !(v.publicKey instanceof Uint8Array) || v.publicKey.length !== KEY_SIZE) {
      return { reason: `invalid verifier ${JSON.stringify(v?.name)}: needs a valid key name and a 32-byte public key` };
    }
    const tag = `${v.name}+${toHex(keyId(v.name, v.publicKey))}`;
    const keys = known.get(tag) ?? [];
    if (!keys.some((k) => bytesEqual(k, v.publicKey))) keys.push(v.publicKey);
    known.set(tag, keys);
  }
  return known;
}

/**
 * One parsed signature line: whether a known key's signature verifies ("unknown" when no
 * trusted key has its name and id), or why the whole note is to be refused.
 */
function checkSignature(
  sig: NoteSignature,
  message: Uint8Array,
  known: Map<string, Uint8Array[]>,
): { signer: Signer; known: boolean } | { reason: string } {
  const signer = { name: sig.name, keyId: sig.keyId };
  const tag = `${sig.name}+${sig.keyId}`;
  const keys = known.get(tag);
  // Unknown keys are ignored (C2SP), e.g. witness cosignatures or a rotated-out key.
  if (!keys) return { signer, known: false };
  if (keys.length > 1)
    return { reason: `ambiguous key ${tag}: several trusted public keys share this name and key id` };
  // Every signature line from a known key is checked, duplicates too: a bad one rejects the note.
  if (!verifySignature(sig.signature, message, keys[0]!))
    return { reason: `invalid signature for key ${tag}: the note was altered or not signed by this key` };
  return { signer, known: true };
}

function openNoteUnsafe(note: string, verifiers: Verifier[]): OpenedNote {
  const parsed = splitNote(note);
  if (!parsed.ok) return parsed;
  const known = indexVerifiers(verifiers);
  if (!(known instanceof Map)) return { ok: false, reason: known.reason };
  const { text, signatures } = parsed;
  const message = utf8(text);
  const verified: Signer[] = [];
  const unverified: Signer[] = [];
  const verifiedTags = new Set<string>();
  const unverifiedLines = new Set<string>();
  for (const sig of signatures) {
    const r = checkSignature(sig, message, known);
    if ("reason" in r) return { ok: false, reason: r.reason };
    const tag = `${r.signer.name}+${r.signer.keyId}`;
    if (!r.known) {
      if (!unverifiedLines.has(sig.line)) {
        unverifiedLines.add(sig.line);
        unverified.push(r.signer);
      }
    } else if (!verifiedTags.has(tag)) {
      verifiedTags.add(tag);
      verified.push(r.signer);
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
