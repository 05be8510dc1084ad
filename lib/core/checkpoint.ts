import { fromBase64, hasLoneSurrogate, toBase64 } from "./bytes.ts";
import { FORBIDDEN_CONTROL } from "./note-keys.ts";

// The C2SP tlog-checkpoint body of a signed note (SPEC §3): origin, tree size, root hash.

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
