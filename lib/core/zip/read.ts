import { Inflate } from "fflate";
import { crc32 } from "./crc32.ts";

// A deliberately strict ZIP reader for evidence bundles, in memory only (browser and
// CLI alike): nothing is ever written to disk, so a hostile archive cannot place a file
// anywhere. It reads the central directory, and refuses instead of guessing whenever an
// archive could mean two things or cost more than it declares: folders, links, odd
// names, duplicate names, overlapping members, encryption, ZIP64, and inflation beyond
// the declared (and capped) sizes — the actual inflated bytes are counted, not trusted.

export type ZipLimits = {
  /** Most members an archive may hold. */
  maxFiles: number;
  /** Most uncompressed bytes of one member. */
  maxFileBytes: number;
  /** Most uncompressed bytes of all members together. */
  maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio of a member larger than 1 MiB. */
  maxRatio: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxFiles: 64,
  maxFileBytes: 1536 * 1024 * 1024,
  maxTotalBytes: 3 * 1024 * 1024 * 1024,
  maxRatio: 200,
};

export type ZipReadResult = { ok: true; files: Map<string, Uint8Array> } | { ok: false; reason: string };

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const RATIO_FLOOR = 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const HOST_UNIX = 3;
const DOS_DIRECTORY = 0x10;

class Refused extends Error {}

function refuse(reason: string): never {
  throw new Refused(reason);
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** Why a member name may not be used, or null. Only plain top-level names are allowed. */
export function unsafeNameReason(name: string): string | null {
  if (name === "") return "an empty name";
  if (name.endsWith("/")) return "a directory";
  if (name.includes("/") || name.includes("\\")) return "a path with folders (only top-level files are allowed)";
  if (name === "." || name === ".." || name.includes("..")) return "a '..' path component";
  if (/^[A-Za-z]:/.test(name)) return "a drive-letter path";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "a control character";
  if (name.length > 255) return "an over-long name";
  return null;
}

/**
 * Random access to an archive's bytes: the whole archive in memory, or a file
 * read piece by piece (the CLI), so a member of any size is streamed, never
 * loaded. `read` returns fewer bytes only at the end.
 */
export type ZipSource = { size: number; read(offset: number, length: number): Uint8Array };

export function bytesSource(b: Uint8Array): ZipSource {
  return { size: b.length, read: (o, n) => b.subarray(o, Math.min(b.length, o + n)) };
}

function bytesAt(b: ZipSource, o: number, n: number): Uint8Array {
  if (o < 0 || o + n > b.size) refuse("the archive is truncated");
  const r = b.read(o, n);
  if (r.length !== n) refuse("the archive is truncated");
  return r;
}

function u16(b: ZipSource, o: number): number {
  const x = bytesAt(b, o, 2);
  return x[0]! | (x[1]! << 8);
}

function u32(b: ZipSource, o: number): number {
  const x = bytesAt(b, o, 4);
  return (x[0]! | (x[1]! << 8) | (x[2]! << 16) | (x[3]! << 24)) >>> 0;
}

function findEocd(src: ZipSource): number {
  // The end record is 22 bytes plus a comment of at most 65535 bytes: read that tail once, search it in memory.
  const start = Math.max(0, src.size - 22 - 0xffff);
  const tail = bytesSource(bytesAt(src, start, src.size - start));
  for (let o = tail.size - 22; o >= 0; o--) {
    if (u32(tail, o) === SIG_EOCD && o + 22 + u16(tail, o + 20) === tail.size) return start + o;
  }
  refuse("not a ZIP archive (no end-of-central-directory record)");
}

export type ZipMember = {
  name: string;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
  dataStart: number;
};

/**
 * A member's content in chunks (at most `chunk` compressed bytes read at a
 * time): stored data as is, deflated data inflated as it streams. Refuses
 * (throws Refused, after the chunks read so far) when it inflates past its
 * declared size, is corrupt, or fails its CRC-32 — the same refusals as a
 * member read whole.
 */
export function* memberChunks(src: ZipSource, m: ZipMember, stored = 1024 * 1024): Generator<Uint8Array> {
  // Deflated input in small pieces: what one piece inflates to is held at once, and a ratio up to the limit (200:1) stays a few MiB.
  const chunk = m.method === 0 ? stored : 16 * 1024;
  const name = JSON.stringify(m.name);
  let crc = 0;
  let written = 0;
  let ended = m.method === 0;
  const out: Uint8Array[] = [];
  const inflater =
    m.method === 0
      ? null
      : new Inflate((c, final) => {
          if (written + c.length > m.usize)
            refuse(`${name} inflates to more than its declared ${m.usize} bytes (zip bomb?)`);
          written += c.length;
          out.push(c);
          if (final) ended = true;
        });
  for (let o = 0; o < m.csize || (o === 0 && inflater); o += chunk) {
    const raw = bytesAt(src, m.dataStart + o, Math.min(chunk, m.csize - o));
    if (!inflater) {
      written += raw.length;
      out.push(raw);
    } else {
      try {
        inflater.push(raw, o + chunk >= m.csize);
      } catch (e) {
        if (e instanceof Refused) throw e;
        refuse(`${name}: corrupt compressed data (${(e as Error).message})`);
      }
    }
    for (const c of out.splice(0)) {
      crc = crc32(c, crc);
      yield c;
    }
    if (m.csize === 0) break;
  }
  if (m.method !== 0 && (!ended || written !== m.usize))
    refuse(`${name} inflates to ${written} bytes, not the declared ${m.usize}`);
  if (crc !== m.crc) refuse(`${name} fails its CRC-32 check (corrupt archive)`);
}

/** A whole member in memory (the in-memory reader; the streaming verifier uses memberChunks). */
function readMember(src: ZipSource, m: ZipMember): Uint8Array {
  const data = new Uint8Array(m.usize);
  let o = 0;
  for (const c of memberChunks(src, m)) {
    data.set(c, o);
    o += c.length;
  }
  return data;
}

/** The end-of-central-directory record: where the directory is and how many entries it has. */
function readEndRecord(b: ZipSource, limits: ZipLimits): { eocd: number; total: number; cdOffset: number } {
  if (b.size < 22) refuse("not a ZIP archive (too short)");
  const eocd = findEocd(b);
  if (eocd >= 20 && u32(b, eocd - 20) === SIG_EOCD64_LOCATOR)
    refuse("ZIP64 archives are not accepted (a bundle never needs one)");
  const disk = u16(b, eocd + 4);
  const cdDisk = u16(b, eocd + 6);
  const onDisk = u16(b, eocd + 8);
  const total = u16(b, eocd + 10);
  const cdSize = u32(b, eocd + 12);
  const cdOffset = u32(b, eocd + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) refuse("multi-volume archives are not accepted");
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    refuse("ZIP64 archives are not accepted (a bundle never needs one)");
  if (total > limits.maxFiles) refuse(`too many files (${total}; at most ${limits.maxFiles})`);
  if (cdOffset + cdSize !== eocd)
    refuse("the central directory is not where the end record says (prepended or appended data?)");
  return { eocd, total, cdOffset };
}

/** Refuses a member that is not a plain regular file: encrypted, an odd method, ZIP64, a folder or a link. */
function checkKind(
  shown: string,
  e: { flags: number; method: number; madeBy: number; external: number },
  sizes: number[],
) {
  if (e.flags & 0x1) refuse(`${shown} is encrypted`);
  if (e.method !== 0 && e.method !== 8)
    refuse(`${shown} uses compression method ${e.method} (only stored and deflate are accepted)`);
  if (sizes.some((v) => v === 0xffffffff)) refuse(`${shown} needs ZIP64, which is not accepted`);
  if (e.external & DOS_DIRECTORY) refuse(`${shown} is a directory`);
  if (e.madeBy >> 8 === HOST_UNIX) {
    const type = (e.external >>> 16) & S_IFMT;
    if (type === S_IFLNK) refuse(`${shown} is a symbolic link`);
    if (type === S_IFDIR) refuse(`${shown} is a directory`);
    if (type !== 0 && type !== S_IFREG)
      refuse(`${shown} is not a regular file (mode ${((e.external >>> 16) >>> 0).toString(8)})`);
  }
}

/** Refuses sizes past the limits: one member, all together (running total), a stored member, the ratio. */
function checkSizes(
  shown: string,
  m: { method: number; csize: number; usize: number },
  declaredTotal: number,
  limits: ZipLimits,
) {
  if (m.usize > limits.maxFileBytes)
    refuse(`${shown} declares ${m.usize} bytes uncompressed (at most ${limits.maxFileBytes})`);
  if (declaredTotal + m.usize > limits.maxTotalBytes)
    refuse(`the files declare more than ${limits.maxTotalBytes} bytes uncompressed together`);
  if (m.method === 0 && m.csize !== m.usize) refuse(`${shown} is stored but its sizes differ`);
  if (m.usize > RATIO_FLOOR && m.usize > m.csize * limits.maxRatio)
    refuse(`${shown} has a compression ratio above ${limits.maxRatio}:1 (zip bomb?)`);
}

/** The entry's name: valid UTF-8, a plain top-level name, unique ignoring case. */
function entryName(nameBytes: Uint8Array, i: number, seen: Set<string>): string {
  let name: string;
  try {
    name = utf8Strict.decode(nameBytes);
  } catch {
    refuse(`entry ${i + 1} has a name that is not valid UTF-8`);
  }
  const shown = JSON.stringify(name.slice(0, 80));
  const bad = unsafeNameReason(name);
  if (bad) refuse(`${shown} is ${bad}`);
  const folded = name.toLowerCase();
  if (seen.has(folded)) refuse(`${shown} appears more than once (names must be unique, ignoring case)`);
  seen.add(folded);
  return name;
}

/** Central directory entry i at offset o, checked; the member and where the next entry starts. */
function readEntry(
  b: ZipSource,
  o: number,
  i: number,
  cdOffset: number,
  ctx: { seen: Set<string>; declared: number; limits: ZipLimits },
): { member: ZipMember; next: number } {
  if (u32(b, o) !== SIG_CENTRAL) refuse(`central directory entry ${i + 1} is malformed`);
  const e = { madeBy: u16(b, o + 4), flags: u16(b, o + 8), method: u16(b, o + 10), external: u32(b, o + 38) };
  const crc = u32(b, o + 16);
  const csize = u32(b, o + 20);
  const usize = u32(b, o + 24);
  const nameLen = u16(b, o + 28);
  const extraLen = u16(b, o + 30);
  const commentLen = u16(b, o + 32);
  const localOffset = u32(b, o + 42);
  const nameBytes = bytesAt(b, o + 46, nameLen).slice();
  const name = entryName(nameBytes, i, ctx.seen);
  const shown = JSON.stringify(name.slice(0, 80));
  checkKind(shown, e, [usize, csize, localOffset]);
  checkSizes(shown, { method: e.method, csize, usize }, ctx.declared, ctx.limits);
  ctx.declared += usize;

  // The local header must agree on the name; its own extra field decides where data starts.
  if (u32(b, localOffset) !== SIG_LOCAL) refuse(`${shown}: no local header at its offset`);
  const lNameLen = u16(b, localOffset + 26);
  const lExtraLen = u16(b, localOffset + 28);
  const lName = bytesAt(b, localOffset + 30, lNameLen);
  if (lNameLen !== nameLen || lName.some((x, j) => x !== nameBytes[j]))
    refuse(`${shown}: the local header names a different file`);
  const dataStart = localOffset + 30 + lNameLen + lExtraLen;
  if (dataStart + csize > cdOffset) refuse(`${shown}: its data runs into the central directory`);
  return {
    member: { name, method: e.method, crc, csize, usize, localOffset, dataStart },
    next: o + 46 + nameLen + extraLen + commentLen,
  };
}

/** The archive's members, every header checked; no member data is read. */
function indexUnsafe(b: ZipSource, limits: ZipLimits): ZipMember[] {
  const { eocd, total, cdOffset } = readEndRecord(b, limits);
  const members: ZipMember[] = [];
  const ctx = { seen: new Set<string>(), declared: 0, limits };
  let o = cdOffset;
  for (let i = 0; i < total; i++) {
    const r = readEntry(b, o, i, cdOffset, ctx);
    members.push(r.member);
    o = r.next;
  }
  if (o !== eocd) refuse("the central directory has trailing bytes");

  // Overlapping members are how the smallest zip bombs reuse one compressed stream.
  const byOffset = [...members].sort((x, y) => x.localOffset - y.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    if (prev.dataStart + prev.csize > byOffset[i]!.localOffset)
      refuse(`${JSON.stringify(prev.name)} overlaps ${JSON.stringify(byOffset[i]!.name)}`);
  }
  return members;
}

function refusal(e: unknown): { ok: false; reason: string } {
  if (e instanceof Refused) return { ok: false, reason: e.message };
  return { ok: false, reason: `unreadable archive: ${(e as Error)?.message ?? String(e)}` };
}

/**
 * The members of an archive read from `src`, after every header check
 * readZip makes, without reading their data: stream each with memberChunks
 * (which makes the size and CRC-32 checks as it goes). Never throws.
 */
export function indexZip(
  src: ZipSource,
  limits: Partial<ZipLimits> = {},
): { ok: true; members: ZipMember[] } | { ok: false; reason: string } {
  try {
    return { ok: true, members: indexUnsafe(src, { ...DEFAULT_ZIP_LIMITS, ...limits }) };
  } catch (e) {
    return refusal(e);
  }
}

/** What a refusal thrown while streaming a member says (its reason), or null for another error. */
export function refusalReason(e: unknown): string | null {
  return e instanceof Refused ? e.message : null;
}

/**
 * Reads every member of a ZIP archive into memory.
 * Invariants: never throws (a refusal is `{ ok: false, reason }`); accepts only top-level
 * regular files with unique, plain names; every member's actual inflated size equals its
 * declared size and passes its CRC-32; sizes stay within `limits`.
 */
export function readZip(bytes: Uint8Array, limits: Partial<ZipLimits> = {}): ZipReadResult {
  const l = { ...DEFAULT_ZIP_LIMITS, ...limits };
  try {
    const src = bytesSource(bytes);
    const files = new Map<string, Uint8Array>();
    for (const m of indexUnsafe(src, l))
      files.set(m.name, m.method === 0 ? readMember(src, m).slice() : readMember(src, m));
    return { ok: true, files };
  } catch (e) {
    return refusal(e);
  }
}
