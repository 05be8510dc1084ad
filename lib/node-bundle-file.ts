import crypto from "node:crypto";
import fs from "node:fs";
import { filesFromZip, type StreamHash } from "@/lib/core/bundle/bundle-files.ts";
import { lines } from "@/lib/core/bundle/verify-kit.ts";
import type { ZipSource } from "@/lib/core/zip/read.ts";

// A bundle file on disk as lib/core's offline checks read it — piece by piece, never whole —
// shared by `verify-bundle`, `archive verify` and the archive search: positioned reads, Node's
// incremental SHA-256, and events.jsonl line by line. No server import: the offline commands use it.

/** Node's incremental SHA-256 for the files' checksums (the same digests as the pure default). */
export const nodeStreamHash: StreamHash = () => {
  const h = crypto.createHash("sha256");
  return { update: (b: Uint8Array) => h.update(b), digest: () => new Uint8Array(h.digest()) };
};

/** The file behind `fd` as a ZipSource: each read is a positioned read of just those bytes. */
export function fileSource(fd: number, size: number): ZipSource {
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const r = fs.readSync(fd, buf, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
  };
}

/** Opens `file`, hands its ZipSource to `read` (sync or async), and closes it afterwards. */
export async function withBundleFile<T>(file: string, read: (src: ZipSource) => T | Promise<T>): Promise<T> {
  const fd = fs.openSync(file, "r");
  try {
    return await read(fileSource(fd, fs.fstatSync(fd).size));
  } finally {
    fs.closeSync(fd);
  }
}

/** events.jsonl of a bundle file, line by line (one line and one chunk in memory); throws when it is no readable ZIP. */
export function bundleEventLines<T>(file: string, read: (lines: Iterable<string>) => T): Promise<T> {
  return withBundleFile(file, (src) => {
    const z = filesFromZip(src, undefined, nodeStreamHash);
    if (!z.ok) throw new Error(`${file} is not a readable bundle: ${z.reason}`);
    const info = z.files.info("events.jsonl");
    return read(lines(z.files.chunks("events.jsonl") ?? [], "events.jsonl", info?.lastByte ?? null));
  });
}

/** SHA-256 (hex) of a whole file, read in 1 MiB pieces. */
export function sha256File(file: string): string {
  const h = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest("hex");
}
