import crypto from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";
import { ed25519 } from "@noble/curves/ed25519.js";
import { toBase64, toHex, utf8 } from "@/lib/core/bytes.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { normalizeFilter } from "@/lib/core/event-filter.ts";
import {
  formatCheckpoint,
  generateSigningKey,
  keyFingerprint,
  keyId,
  publicKeyToPem,
  signNote,
  verifierKeyString,
} from "@/lib/core/note.ts";
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  csvHeader,
  csvLine,
  eventLine,
  formatManifest,
  formatSums,
  formatVerifyText,
  proofLine,
} from "@/lib/core/bundle/format.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// A real evidence bundle of any size, written to disk as it is generated (never
// held in memory): 2^k entries whose attributes carry padding, a perfect Merkle
// tree, a checkpoint and SHA256SUMS signed with a real Ed25519 key, members
// stored (or deflated) in a plain ZIP the strict reader accepts. For the
// verify-bundle memory test and bench: the verifier's peak RSS must not grow
// with the bundle.

const PAD = 16 * 1024;
const CHUNK = 4 * 1024 * 1024;

function entry(i: number): Record<string, unknown> {
  const seq = i + 1;
  return {
    seq,
    id: `big-${seq}`,
    timestamp: new Date(Date.UTC(2026, 8, 1) + i * 1000).toISOString(),
    receivedAt: new Date(Date.UTC(2026, 8, 1) + i * 1000 + 5).toISOString(),
    source: "spiffe://bench/src",
    eventType: "read",
    outcome: "success",
    requester: { id: "spiffe://bench/ns/a/sa/orders", type: "service" },
    target: { id: `db://cards/${seq}`, service: "payments", type: "db" },
    action: "SELECT",
    // Deterministic, incompressible-looking padding: what makes the members large.
    attributes: {
      n: i,
      pad: crypto
        .createHash("sha256")
        .update(String(i))
        .digest("hex")
        .repeat(PAD / 64),
    },
  };
}

type Written = {
  name: string;
  offset: number;
  crc: number;
  size: number;
  csize: number;
  sha256: string;
  deflated: boolean;
};

/** A ZIP written member by member at increasing offsets; each local header is patched once the member's sizes are known. */
class ZipOut {
  readonly #fd: number;
  #offset = 0;
  readonly members: Written[] = [];

  constructor(file: string) {
    this.#fd = fs.openSync(file, "w", 0o600);
  }

  #write(b: Uint8Array, at = this.#offset) {
    fs.writeSync(this.#fd, b, 0, b.length, at);
    if (at === this.#offset) this.#offset += b.length;
  }

  /**
   * `gen` yields the member's content in pieces, written as they come (stored);
   * `deflate` compresses it in memory first (for the smaller deflated variant:
   * the verifier still streams it).
   */
  member(name: string, gen: Iterable<string | Uint8Array>, deflate = false): Written {
    const nameBytes = Buffer.from(name, "utf8");
    const start = this.#offset;
    this.#write(new Uint8Array(30 + nameBytes.length)); // patched below
    const h = crypto.createHash("sha256");
    let crc = 0;
    let size = 0;
    const dataStart = this.#offset;
    let pending: Buffer[] = [];
    let buffered = 0;
    for (const piece of gen) {
      const b = typeof piece === "string" ? Buffer.from(piece, "utf8") : Buffer.from(piece);
      h.update(b);
      crc = zlib.crc32(b, crc);
      size += b.length;
      pending.push(b);
      buffered += b.length;
      if (!deflate && buffered >= CHUNK) {
        this.#write(Buffer.concat(pending));
        pending = [];
        buffered = 0;
      }
    }
    const rest = Buffer.concat(pending);
    this.#write(deflate ? zlib.deflateRawSync(rest, { level: 1 }) : rest);
    const w: Written = {
      name,
      offset: start,
      crc: crc >>> 0,
      size,
      csize: this.#offset - dataStart,
      sha256: h.digest("hex"),
      deflated: deflate,
    };
    this.#write(this.#header(w, null), start);
    this.members.push(w);
    return w;
  }

  #header(m: Written, central: number | null): Buffer {
    const name = Buffer.from(m.name, "utf8");
    const b = Buffer.alloc((central === null ? 30 : 46) + name.length);
    const method = m.deflated ? 8 : 0;
    if (central === null) {
      b.writeUInt32LE(0x04034b50, 0);
      b.writeUInt16LE(20, 4);
      b.writeUInt16LE(0x0800, 6);
      b.writeUInt16LE(method, 8);
      b.writeUInt32LE(m.crc, 14);
      b.writeUInt32LE(m.csize, 18);
      b.writeUInt32LE(m.size, 22);
      b.writeUInt16LE(name.length, 26);
      name.copy(b, 30);
    } else {
      b.writeUInt32LE(0x02014b50, 0);
      b.writeUInt16LE((3 << 8) | 20, 4);
      b.writeUInt16LE(20, 6);
      b.writeUInt16LE(0x0800, 8);
      b.writeUInt16LE(method, 10);
      b.writeUInt32LE(m.crc, 16);
      b.writeUInt32LE(m.csize, 20);
      b.writeUInt32LE(m.size, 24);
      b.writeUInt16LE(name.length, 28);
      b.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      b.writeUInt32LE(central, 42);
      name.copy(b, 46);
    }
    return b;
  }

  /** Where each member's central directory entry starts. */
  readonly central = new Map<string, number>();

  finish(): void {
    const cdStart = this.#offset;
    for (const m of this.members) {
      this.central.set(m.name, this.#offset);
      this.#write(this.#header(m, m.offset));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.members.length, 8);
    end.writeUInt16LE(this.members.length, 10);
    end.writeUInt32LE(this.#offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    this.#write(end);
    fs.closeSync(this.#fd);
  }
}

/** Perfect-tree levels over 2^k leaves: levels[0] the leaves, the last the root. */
function levels(leaves: Uint8Array[]): Uint8Array[][] {
  const out = [leaves];
  while (out.at(-1)!.length > 1) {
    const prev = out.at(-1)!;
    const next: Uint8Array[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(nodeHasher.hashChildren(prev[i]!, prev[i + 1]!));
    out.push(next);
  }
  return out;
}

export type BigBundle = {
  file: string;
  entries: number;
  eventsBytes: number;
  verifierKey: string;
  /** Where events.jsonl's data starts in the file, and the byte offset of entry `seq`'s line in it. */
  eventsDataStart: number;
  lineOffset(seq: number): number;
  /** After a byte of events.jsonl was changed in place: its CRC-32 recomputed in both headers (a careful tamperer). */
  fixEventsCrc(): void;
};

/**
 * Writes a bundle whose events.jsonl is at least `minEventsBytes` (2^k entries
 * of ~16 KiB) to `file`. `deflate` compresses the three large members.
 */
export function writeBigBundle(file: string, minEventsBytes: number, deflate = false): BigBundle {
  let n = 1;
  while (n * PAD < minEventsBytes) n *= 2;
  const { leaves, lineLengths } = bigLeaves(n);
  const tree = levels(leaves);
  const root = tree.at(-1)![0]!;
  const key = generateSigningKey(
    "bench.ledgerline",
    Uint8Array.from({ length: 32 }, (_, i) => 200 - i),
  );
  const zip = new ZipOut(file);
  const ev = writeLargeMembers(zip, n, leaves, tree, deflate);
  const verifierKey = verifierKeyString(key.name, key.publicKey);
  for (const [name, text] of smallMembers(n, root, key, verifierKey)) zip.member(name, [text]);
  const sums = formatSums(zip.members.map((m) => ({ name: m.name, sha256Hex: m.sha256 })));
  zip.member(BUNDLE_FILES.sums, [sums]);
  zip.member(BUNDLE_FILES.sig, [ed25519.sign(utf8(sums), key.seed)]);
  zip.finish();
  const starts = [0];
  for (const l of lineLengths) starts.push(starts.at(-1)! + l);
  return {
    file,
    entries: n,
    eventsBytes: ev.size,
    verifierKey,
    eventsDataStart: ev.offset + 30 + Buffer.byteLength(BUNDLE_FILES.events),
    lineOffset: (seq) => starts[seq - 1]!,
    fixEventsCrc: () => fixEventsCrc(file, ev, zip.central.get(BUNDLE_FILES.events)!),
  };
}

/** The leaf hash of each of the n entries and the byte length of its events.jsonl line. */
function bigLeaves(n: number): { leaves: Uint8Array[]; lineLengths: number[] } {
  const leaves: Uint8Array[] = [];
  const lineLengths: number[] = [];
  for (let i = 0; i < n; i++) {
    const jcs = canonicalJson(entry(i));
    const leaf = nodeHasher.hashLeaf(utf8(jcs));
    leaves.push(leaf);
    lineLengths.push(Buffer.byteLength(eventLine(i + 1, leaf, jcs)));
  }
  return { leaves, lineLengths };
}

/** events.jsonl, proofs.jsonl and the CSV, streamed line by line (never whole in memory); returns the events member. */
function writeLargeMembers(zip: ZipOut, n: number, leaves: Uint8Array[], tree: Uint8Array[][], deflate: boolean) {
  function* events() {
    for (let i = 0; i < n; i++) yield eventLine(i + 1, leaves[i]!, canonicalJson(entry(i)));
  }
  function* proofs() {
    for (let i = 0; i < n; i++)
      yield proofLine(
        i + 1,
        tree.slice(0, -1).map((level, k) => level[(i >> k) ^ 1]!),
      );
  }
  function* csv() {
    yield csvHeader();
    for (let i = 0; i < n; i++) yield csvLine(entry(i) as never, leaves[i]!);
  }
  const ev = zip.member(BUNDLE_FILES.events, events(), deflate);
  zip.member(BUNDLE_FILES.proofs, proofs(), deflate);
  zip.member(BUNDLE_FILES.csv, csv(), deflate);
  return ev;
}

/** VERIFY.txt, the manifest, the signed checkpoint and the public key, for a log of n entries with `root`. */
function smallMembers(
  n: number,
  root: Uint8Array,
  key: ReturnType<typeof generateSigningKey>,
  verifierKey: string,
): Array<[string, string]> {
  const origin = "bench.ledgerline/big";
  const kid = toHex(keyId(key.name, key.publicKey));
  return [
    [
      BUNDLE_FILES.verify,
      formatVerifyText({
        bundleId: "big-1",
        origin,
        count: n,
        treeSize: n,
        keyId: kid,
        verifierKey,
        fingerprint: keyFingerprint(key.publicKey),
      }),
    ],
    [
      BUNDLE_FILES.manifest,
      formatManifest({
        format: BUNDLE_FORMAT,
        bundleId: "big-1",
        createdAt: "2026-12-04T12:00:00.000Z",
        createdBy: "bench@example.com",
        origin,
        filter: normalizeFilter({}),
        count: n,
        firstSeq: 1,
        lastSeq: n,
        checkpoint: { treeSize: n, rootHash: toBase64(root) },
        keyId: kid,
      }),
    ],
    [
      BUNDLE_FILES.checkpoint,
      signNote(formatCheckpoint({ origin, size: n, rootHash: root }), [{ name: key.name, seed: key.seed }]),
    ],
    [BUNDLE_FILES.key, publicKeyToPem(key.publicKey)],
  ];
}

/** Recomputes events.jsonl's CRC-32 over its stored bytes and writes it into its local and central headers. */
function fixEventsCrc(file: string, ev: { offset: number; csize: number }, centralAt: number): void {
  const fd = fs.openSync(file, "r+");
  try {
    const start = ev.offset + 30 + Buffer.byteLength(BUNDLE_FILES.events);
    const buf = Buffer.alloc(CHUNK);
    let crc = 0;
    for (let o = 0; o < ev.csize; o += CHUNK) {
      const got = fs.readSync(fd, buf, 0, Math.min(CHUNK, ev.csize - o), start + o);
      crc = zlib.crc32(buf.subarray(0, got), crc);
    }
    const c = Buffer.alloc(4);
    c.writeUInt32LE(crc >>> 0);
    fs.writeSync(fd, c, 0, 4, ev.offset + 14);
    fs.writeSync(fd, c, 0, 4, centralAt + 16);
  } finally {
    fs.closeSync(fd);
  }
}
