// What the bundle checks share: the verdict of one check, the failure that carries a
// seq, and strict readers for the bundle's text files.

export type CheckId = "zip" | "signature" | "checksums" | "checkpoint" | "entries" | "manifest" | "key" | "witnesses";

export type BundleCheck = {
  id: CheckId;
  /** "zip", "1"…"5", "key" or "wit". */
  label: string;
  title: string;
  status: "pass" | "fail" | "skip";
  detail: string;
  firstBadSeq?: number;
};

const TITLES: Record<CheckId, [string, string]> = {
  zip: ["zip", "the archive is a plain ZIP of top-level files, safe to read"],
  signature: ["1", "SHA256SUMS.sig is public-key.pem's Ed25519 signature over SHA256SUMS"],
  checksums: ["2", "sha256sum -c SHA256SUMS passes and it lists every file but itself and the signature"],
  checkpoint: ["3", "checkpoint.txt is signed by the same key and matches manifest.json"],
  entries: ["4", "every entry hashes to its leafHash and its proof includes it in the checkpoint's tree"],
  manifest: [
    "5",
    "count, firstSeq, lastSeq and order match the manifest; every entry matches its filter; events.csv is the same entries",
  ],
  key: ["key", "the signing key is the one you trust"],
  witnesses: ["wit", "checkpoint.txt carries a quorum of cosignatures by the witnesses you trust"],
};

/** A check failed; thrown inside a check, turned into its verdict by the check itself. */
export class Fail extends Error {
  constructor(
    message: string,
    readonly firstBadSeq?: number,
  ) {
    super(message);
  }
}

export function check(id: CheckId, status: BundleCheck["status"], detail: string, firstBadSeq?: number): BundleCheck {
  const [label, title] = TITLES[id];
  return { id, label, title, status, detail, ...(firstBadSeq !== undefined ? { firstBadSeq } : {}) };
}

/** A failed check from a Fail, or a passing one. */
export function verdict(id: CheckId, fail: Fail | null, pass: string): BundleCheck {
  return fail ? check(id, "fail", fail.message, fail.firstBadSeq) : check(id, "pass", pass);
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

export function decode(b: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    throw new Fail(`${what} is not valid UTF-8`);
  }
}

/**
 * The lines of a newline-terminated text file given in chunks (a line may span
 * chunks), without holding more than one line and one chunk. `lastByte` (known
 * from the first pass) refuses a file without a final newline before any line.
 */
export function* lines(chunks: Iterable<Uint8Array>, what: string, lastByte: number | null): Generator<string> {
  if (lastByte !== null && lastByte !== 0x0a) throw new Fail(`${what} does not end with a newline`);
  let carry: Uint8Array[] = [];
  for (const c of chunks) {
    let start = 0;
    for (let i = c.indexOf(0x0a); i !== -1; i = c.indexOf(0x0a, start)) {
      const part = c.subarray(start, i);
      yield decode(carry.length ? joinBytes([...carry, part]) : part, `${what} line`);
      carry = [];
      start = i + 1;
    }
    if (start < c.length) carry.push(c.slice(start));
  }
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function exactKeys(o: Record<string, unknown>, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && keys.every((x) => Object.prototype.hasOwnProperty.call(o, x));
}

export const isSeq = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
