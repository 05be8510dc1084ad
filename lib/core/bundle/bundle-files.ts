import { sha256 } from "@noble/hashes/sha2.js";
import { indexZip, memberChunks, refusalReason, type ZipLimits, type ZipSource } from "../zip/read.ts";
import { BUNDLE_FILES } from "./format.ts";

// A bundle's files as the verifier reads them, with memory bounded whatever the
// bundle's size: one streaming pass over every member checks its size and
// CRC-32 (the zip check), takes its SHA-256 (check 2) and counts its lines;
// the small files (manifest, checkpoint, sums, signature, key, VERIFY.txt) are
// kept in memory; events.jsonl, proofs.jsonl and events.csv are streamed again,
// chunk by chunk, by the entry checks.

/** The members read line by line, never held whole. */
const STREAMED: ReadonlySet<string> = new Set([BUNDLE_FILES.events, BUNDLE_FILES.proofs, BUNDLE_FILES.csv]);
/** A kept file larger than this is no bundle's: refused rather than loaded. */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;

/** An incremental SHA-256 (the pure default; the CLI passes Node's). */
export type StreamHash = () => { update(b: Uint8Array): unknown; digest(): Uint8Array };

const pureStreamHash: StreamHash = () => sha256.create();

type Info = { digest: Uint8Array; size: number; lines: number; lastByte: number | null };

export type BundleFiles = {
  names(): string[];
  has(name: string): boolean;
  /** A small file's bytes (undefined when absent; streamed members are never returned whole). */
  get(name: string): Uint8Array | undefined;
  digest(name: string): Uint8Array | undefined;
  info(name: string): Info | undefined;
  /** The file's bytes in chunks, read again from the archive each time. */
  chunks(name: string): Iterable<Uint8Array> | undefined;
};

/** Files given directly (tests, the browser after unzipping): all in memory already. */
export function filesInMemory(files: Map<string, Uint8Array>, hash: StreamHash = pureStreamHash): BundleFiles {
  const infos = new Map<string, Info>();
  const info = (name: string) => {
    const b = files.get(name);
    if (!b) return undefined;
    if (!infos.has(name)) infos.set(name, measure([b], hash));
    return infos.get(name)!;
  };
  return {
    names: () => [...files.keys()],
    has: (n) => files.has(n),
    get: (n) => files.get(n),
    digest: (n) => info(n)?.digest,
    info,
    chunks: (n) => (files.has(n) ? [files.get(n)!] : undefined),
  };
}

function measure(chunks: Iterable<Uint8Array>, hash: StreamHash, keep?: Uint8Array[]): Info {
  const h = hash();
  let size = 0;
  let lines = 0;
  let lastByte: number | null = null;
  for (const c of chunks) {
    h.update(c);
    size += c.length;
    for (let i = 0; i < c.length; i++) if (c[i] === 0x0a) lines++;
    if (c.length) lastByte = c[c.length - 1]!;
    keep?.push(c.slice());
  }
  return { digest: h.digest(), size, lines, lastByte };
}

/**
 * Opens a ZIP from `src` with every check readZip makes (the archive refused
 * with the same reasons), streaming each member once. Never throws.
 */
export function filesFromZip(
  src: ZipSource,
  limits: Partial<ZipLimits> | undefined,
  hash: StreamHash = pureStreamHash,
): { ok: true; files: BundleFiles } | { ok: false; reason: string } {
  const index = indexZip(src, limits);
  if (!index.ok) return index;
  const members = new Map(index.members.map((m) => [m.name, m]));
  const infos = new Map<string, Info>();
  const kept = new Map<string, Uint8Array>();
  try {
    for (const m of index.members) {
      const keep = STREAMED.has(m.name) ? undefined : ([] as Uint8Array[]);
      if (keep && m.usize > MAX_KEPT_BYTES)
        return {
          ok: false,
          reason: `${JSON.stringify(m.name)} is ${m.usize} bytes, more than a bundle's ${m.name} can be`,
        };
      infos.set(m.name, measure(memberChunks(src, m), hash, keep));
      if (keep) kept.set(m.name, concat(keep, m.usize));
    }
  } catch (e) {
    const reason = refusalReason(e);
    if (reason === null) throw e;
    return { ok: false, reason };
  }
  const files: BundleFiles = {
    names: () => [...members.keys()],
    has: (n) => members.has(n),
    get: (n) => kept.get(n),
    digest: (n) => infos.get(n)?.digest,
    info: (n) => infos.get(n),
    chunks: (n) => (members.has(n) ? { [Symbol.iterator]: () => memberChunks(src, members.get(n)!) } : undefined),
  };
  return { ok: true, files };
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
