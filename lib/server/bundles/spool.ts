import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";

// A bundle file too large to hold in memory (events.jsonl, proofs.jsonl, events.csv),
// written once: its text is hashed (SHA-256 for SHA256SUMS, CRC-32 for the ZIP) and
// deflated on the way to a temp file. Deflating runs on libuv's thread pool, beside the
// proof work on the main thread; the ZIP is then assembled by copying compressed bytes.

const CHUNK = 128 * 1024;

export type SpoolResult = { file: string; sha256Hex: string; crc: number; size: number; csize: number };

export class Spool {
  private readonly hash = crypto.createHash("sha256");
  private crc = 0;
  private size = 0;
  private readonly deflate: zlib.DeflateRaw;
  private readonly done: Promise<void>;
  private failed: Error | null = null;
  // Lines are UTF-8-encoded straight into a fixed chunk: no page-sized strings, which
  // V8 would put in old space and keep until a major GC (RSS, not live memory).
  private chunk = Buffer.allocUnsafe(CHUNK);
  private pos = 0;

  constructor(
    readonly file: string,
    level = 6,
  ) {
    this.deflate = zlib.createDeflateRaw({ level, memLevel: 9 });
    this.done = pipeline(this.deflate, fs.createWriteStream(file, { mode: 0o600 }));
    this.done.catch((e: Error) => {
      this.failed = e;
    });
  }

  /**
   * Appends text. Returns a promise only when a full chunk was handed to the deflater
   * and it asked to wait (backpressure); await it then.
   */
  write(text: string): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    // 3 bytes per UTF-16 unit is the most UTF-8 can need.
    if (this.pos + text.length * 3 > CHUNK) {
      const wait = this.flush();
      if (text.length * 3 > CHUNK) {
        const big = Buffer.from(text, "utf8");
        return (wait ?? Promise.resolve()).then(() => this.push(big));
      }
      this.pos += this.chunk.write(text, this.pos, "utf8");
      return wait;
    }
    this.pos += this.chunk.write(text, this.pos, "utf8");
    return undefined;
  }

  private flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    const full = this.chunk.subarray(0, this.pos);
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.pos = 0;
    return this.push(full);
  }

  private push(buf: Buffer): Promise<void> | undefined {
    this.hash.update(buf);
    this.crc = zlib.crc32(buf, this.crc);
    this.size += buf.length;
    if (this.deflate.write(buf)) return undefined;
    return Promise.race([once(this.deflate, "drain"), this.done]).then(() => undefined);
  }

  async finish(): Promise<SpoolResult> {
    await this.flush();
    if (this.failed) throw this.failed;
    this.deflate.end();
    await this.done;
    return {
      file: this.file,
      sha256Hex: this.hash.digest("hex"),
      crc: this.crc >>> 0,
      size: this.size,
      csize: fs.statSync(this.file).size,
    };
  }

  /** Stops writing (on failure); the caller removes the temp dir. */
  abort(): void {
    this.deflate.destroy();
  }
}
