import { canonicalJson } from "./canonical-json.ts";
import { concatBytes, fromHex, toHex, utf8 } from "./bytes.ts";
import { defaultHasher, type LogHasher } from "./hash.ts";

// Leaf v2 (docs/format.md § 8.3): fields declared personal enter the leaf only as a
// salted commitment, so the value and its salt can be erased later while the leaf
// hash — and so every proof over it — stays what it was. Pure: the salt arrives as
// an argument (the server draws 32 random bytes per field).

/** Domain tag of a commitment: no other Ledgerline hash input starts with these bytes. */
export const COMMITMENT_TAG = "ledgerline/personal-commitment/v1";

export const SALT_BYTES = 32;

// tag ‖ 0x00, encoded once.
const TAG_BYTES = concatBytes(utf8(COMMITMENT_TAG), Uint8Array.of(0));

/**
 * The commitment to one personal value:
 *   SHA-256( UTF-8(COMMITMENT_TAG) ‖ 0x00 ‖ salt (32 bytes) ‖ UTF-8(JCS(value)) ), lowercase hex.
 * Invariant: throws unless the salt is 32 bytes; `valueJcs` must be the value's RFC 8785 form
 * (what `canonicalJson(value)` gives) — a commitment binds exactly those bytes.
 */
export function personalCommitment(salt: Uint8Array, valueJcs: string, hasher: LogHasher = defaultHasher): string {
  if (salt.length !== SALT_BYTES) throw new Error(`a commitment salt is ${SALT_BYTES} bytes, not ${salt.length}`);
  return toHex(hasher.digest(TAG_BYTES, salt, utf8(valueJcs)));
}

/** True when `value` (any JSON) and `saltHex` open `commitment`. */
export function opensCommitment(commitment: string, value: unknown, saltHex: string, hasher?: LogHasher): boolean {
  try {
    return personalCommitment(fromHex(saltHex), canonicalJson(value), hasher) === commitment;
  } catch {
    return false;
  }
}

// Pointers that may be declared personal: the optional or free-form places of an event
// (SPEC §1) where machine logs carry people — never a field the log's structure needs
// (ids, times, source, outcome, type), so a v2 leaf stays a readable entry.
const FIXED_POINTERS = new Set(["/requester/id", "/requester/ip", "/reason"]);

/** Why `pointer` cannot be declared personal, or null when it can. */
export function personalPointerProblem(pointer: string): string | null {
  if (FIXED_POINTERS.has(pointer)) return null;
  if (!pointer.startsWith("/attributes/") || pointer.length === "/attributes/".length)
    return `only ${[...FIXED_POINTERS].join(", ")} or /attributes/<name>[/…] can be personal`;
  for (const token of pointer.slice(1).split("/")) {
    if (token === "") return "a pointer token cannot be empty";
    if (/~(?![01])/.test(token)) return "'~' must be written ~0 and '/' ~1 (RFC 6901)";
  }
  return null;
}

const unescape = (t: string) => t.replace(/~1/g, "/").replace(/~0/g, "~");

/** The RFC 6901 tokens of `pointer` ("" = the whole document). */
export function pointerTokens(pointer: string): string[] {
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The value at `pointer` inside objects only (arrays are not entered), or undefined. */
export function valueAt(doc: unknown, pointer: string): unknown {
  let cur = doc;
  for (const t of pointerTokens(pointer)) {
    if (!isObj(cur) || !Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
    cur = cur[t];
  }
  return cur;
}

/** A copy of `doc` with the member at `pointer` set to `value` (undefined: removed); parents must exist. */
export function withValueAt<T>(doc: T, pointer: string, value: unknown): T {
  const tokens = pointerTokens(pointer);
  const go = (cur: unknown, i: number): unknown => {
    if (!isObj(cur)) return cur;
    const t = tokens[i]!;
    const copy: Obj = { ...cur };
    if (i === tokens.length - 1) {
      if (value === undefined) delete copy[t];
      else copy[t] = value;
    } else if (Object.prototype.hasOwnProperty.call(cur, t)) copy[t] = go(cur[t], i + 1);
    return copy;
  };
  return (tokens.length ? go(doc, 0) : doc) as T;
}

/** One committed field: where, its canonical value and its salt (hex). */
export type PersonalSecret = { pointer: string; value: string; salt: string };

/**
 * Splits `event` for a v2 leaf: each pointer of `pointers` present in it is removed and
 * committed with the salt `salt(pointer)` gives. Returns null when no pointer is present
 * (the event stays a v1 leaf). `personal` maps pointer → commitment (JCS sorts it).
 */
export function commitPersonal<T>(
  event: T,
  pointers: readonly string[],
  salt: () => Uint8Array,
  hasher?: LogHasher,
): { stripped: T; personal: Record<string, string>; secrets: PersonalSecret[] } | null {
  let stripped = event;
  const personal: Record<string, string> = {};
  const secrets: PersonalSecret[] = [];
  for (const pointer of [...new Set(pointers)].sort()) {
    const v = valueAt(stripped, pointer);
    if (v === undefined) continue;
    const s = salt();
    const value = canonicalJson(v);
    personal[pointer] = personalCommitment(s, value, hasher);
    secrets.push({ pointer, value, salt: toHex(s) });
    stripped = withValueAt(stripped, pointer, undefined);
  }
  return secrets.length ? { stripped, personal, secrets } : null;
}
