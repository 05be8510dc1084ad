import { toHex } from "./bytes.ts";
import { keyId, parseVerifierKey } from "./note-keys.ts";
import { openNote, signNote } from "./note.ts";

// Key rotation statements (docs/format.md §3a): a C2SP signed note in which the log's
// previous checkpoint key names its successor. Signed by the old key (that is what makes the
// new key valid) and by the new key (proof that whoever rotated holds it). The server logs
// each statement as an entry, so the checkpoint that covers it — and the witnesses that
// cosign that checkpoint — vouch that it existed at that tree size. A verifier that pins one
// key follows these statements to every later key and trusts nothing else.

export const KEY_ROTATION_HEADER = "ledgerline.key-rotation/v1";

export type KeyRotation = {
  /** The log's origin (checkpoint first line). */
  origin: string;
  /** Verifier key strings (`<name>+<key id>+<base64>`). */
  oldKey: string;
  newKey: string;
  /** Entries in the log when the rotation was decided (the statement is entry `treeSize` or later). */
  treeSize: number;
  /** RFC 3339 UTC. */
  time: string;
};

/** The statement's text: header, then one `label value` line each. Throws on values that cannot round-trip. */
export function formatKeyRotation(r: KeyRotation): string {
  if (!r.origin || r.origin.includes("\n")) throw new Error("key rotation: origin must be one non-empty line");
  for (const v of [r.oldKey, r.newKey, r.time]) {
    if (!v || /\s/.test(v)) throw new Error(`key rotation: "${v}" must be non-empty without spaces`);
  }
  if (!Number.isSafeInteger(r.treeSize) || r.treeSize < 0) throw new Error("key rotation: tree size out of range");
  parseVerifierKey(r.oldKey);
  parseVerifierKey(r.newKey);
  return `${KEY_ROTATION_HEADER}\norigin ${r.origin}\nold ${r.oldKey}\nnew ${r.newKey}\nsize ${r.treeSize}\ntime ${r.time}\n`;
}

/** Parses a statement's text (not its signatures). Never throws. */
export function parseKeyRotation(text: string): { ok: true; rotation: KeyRotation } | { ok: false; reason: string } {
  const lines = text.split("\n");
  if (lines[0] !== KEY_ROTATION_HEADER) return { ok: false, reason: `not a ${KEY_ROTATION_HEADER} statement` };
  const want = ["origin", "old", "new", "size", "time"];
  const values: string[] = [];
  for (const [i, label] of want.entries()) {
    const line = lines[i + 1] ?? "";
    if (!line.startsWith(`${label} `)) return { ok: false, reason: `line ${i + 2} must start with "${label} "` };
    values.push(line.slice(label.length + 1));
  }
  if (lines.length !== 7 || lines[6] !== "") return { ok: false, reason: "unexpected lines after time" };
  const [origin, oldKey, newKey, size, time] = values as [string, string, string, string, string];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) return { ok: false, reason: `size "${size}" is not a tree size` };
  try {
    parseVerifierKey(oldKey);
    parseVerifierKey(newKey);
  } catch (e) {
    return { ok: false, reason: `bad verifier key: ${(e as Error).message}` };
  }
  return { ok: true, rotation: { origin, oldKey, newKey, treeSize: Number(size), time } };
}

/** Signs a statement with the old key, then the new one. */
export function signKeyRotation(
  r: KeyRotation,
  oldSigner: { name: string; seed: Uint8Array },
  newSigner: { name: string; seed: Uint8Array },
): string {
  return signNote(formatKeyRotation(r), [oldSigner, newSigner]);
}

export type CheckedRotation = { ok: true; rotation: KeyRotation } | { ok: false; reason: string };

/**
 * Checks a signed statement: well-formed, for `origin`, signed by its old key AND by its new
 * key. Never throws. It does not say the old key is trusted — that is the caller's chain.
 */
export function checkKeyRotation(note: string, origin: string): CheckedRotation {
  const text = note.slice(0, note.lastIndexOf("\n\n") + 1);
  const parsed = parseKeyRotation(text);
  if (!parsed.ok) return parsed;
  const r = parsed.rotation;
  if (r.origin !== origin) return { ok: false, reason: `for log "${r.origin}", not "${origin}"` };
  for (const [which, vkey] of [
    ["old", r.oldKey],
    ["new", r.newKey],
  ] as const) {
    const k = parseVerifierKey(vkey);
    const opened = openNote(note, [k]);
    if (!opened.ok) return { ok: false, reason: `not signed by its ${which} key ${shortKey(vkey)}: ${opened.reason}` };
  }
  return { ok: true, rotation: r };
}

/** `<name>+<key id>` of a verifier key string. */
export function shortKey(vkey: string): string {
  try {
    const k = parseVerifierKey(vkey);
    return `${k.name}+${toHex(keyId(k.name, k.publicKey))}`;
  } catch {
    return vkey.slice(0, 40);
  }
}

export type TrustedKey = { verifierKey: string; why: string; fromSize: number };

/**
 * Follows rotation statements from `pinned` verifier keys: a key is trusted when pinned, or
 * named as `new` by a valid statement whose `old` key is already trusted. Statements that do
 * not chain (unknown old key, bad signature) are returned as `rejected`, never trusted.
 * Invariant: the result depends only on the pins and the statements' signatures.
 */
export function followKeyRotations(
  pinned: Array<{ verifierKey: string; why: string }>,
  statements: string[],
  origin: string,
): { trusted: TrustedKey[]; rejected: Array<{ statement: number; reason: string }> } {
  const trusted = new Map<string, TrustedKey>();
  for (const p of pinned) trusted.set(p.verifierKey, { verifierKey: p.verifierKey, why: p.why, fromSize: 0 });
  const checked = statements.map((s) => checkKeyRotation(s, origin));
  const pending = new Set(checked.keys());
  for (let progress = true; progress;) {
    progress = false;
    for (const i of pending) {
      const c = checked[i]!;
      if (!c.ok || !trusted.has(c.rotation.oldKey)) continue;
      pending.delete(i);
      progress = true;
      if (trusted.has(c.rotation.newKey)) continue;
      trusted.set(c.rotation.newKey, {
        verifierKey: c.rotation.newKey,
        why: `rotation statement at tree size ${c.rotation.treeSize} signed by ${shortKey(c.rotation.oldKey)}`,
        fromSize: c.rotation.treeSize,
      });
    }
  }
  const rejected = [...pending].map((i) => {
    const c = checked[i]!;
    return {
      statement: i,
      reason: c.ok
        ? `its old key ${shortKey(c.rotation.oldKey)} is not trusted (no chain from a pinned key)`
        : c.reason,
    };
  });
  return { trusted: [...trusted.values()], rejected };
}
