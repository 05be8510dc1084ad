import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";

// The bundle's ZIP container: plain PKZIP 2.0 (no ZIP64, no data descriptors, no
// extra fields), every member a top-level regular file with Unix mode 0644, so
// `unzip`, Windows Explorer, macOS and our own strict reader all agree on it.
// Members arrive already deflated (see Spool) or small enough to deflate here; the
// archive is streamed to disk and hashed on the way.

export type ZipMember = {
  name: string;
  crc: number;
  size: number;
  csize: number;
  /** Raw DEFLATE bytes, in memory or in a file. */
  deflated: { data: Uint8Array } | { file: string };
};

const LIMIT = 0xffffffff;

/** A small file as a member: deflated in memory. */
export function memoryMember(name: string, data: Uint8Array): ZipMember {
  const deflated = zlib.deflateRawSync(data, { level: 9 });
  return { name, crc: zlib.crc32(data) >>> 0, size: data.length, csize: deflated.length, deflated: { data: deflated } };
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

function header(m: ZipMember, when: { time: number; date: number }, central: number | null): Buffer {
  const name = Buffer.from(m.name, "utf8");
  const b = Buffer.alloc((central === null ? 30 : 46) + name.length);
  let o = 0;
  const u16 = (v: number) => (o = b.writeUInt16LE(v, o));
  const u32 = (v: number) => (o = b.writeUInt32LE(v >>> 0, o));
  u32(central === null ? 0x04034b50 : 0x02014b50);
  if (central !== null) u16((3 << 8) | 20); // made by: Unix, spec 2.0 — external attributes are a Unix mode
  u16(20); // version needed: 2.0 (deflate)
  u16(0x0800); // flags: names are UTF-8
  u16(8); // deflate
  u16(when.time);
  u16(when.date);
  u32(m.crc);
  u32(m.csize);
  u32(m.size);
  u16(name.length);
  u16(0); // extra field length
  if (central !== null) {
    u16(0); // comment length
    u16(0); // disk number
    u16(0); // internal attributes
    u32((0o100644 << 16) >>> 0); // regular file, rw-r--r--
    u32(central); // local header offset
  }
  name.copy(b, o);
  return b;
}

/**
 * Writes the members to `target` as one ZIP, streaming, with backpressure.
 * Invariant: refuses (throws) anything that would need ZIP64 (a member or the archive
 * over 4 GiB) rather than write an archive some tools would misread.
 */
export async function writeZip(
  target: string,
  members: ZipMember[],
  mtime: Date,
): Promise<{ bytes: number; sha256Hex: string }> {
  const when = dosDateTime(mtime);
  // Each write is awaited: the file handle is the backpressure.
  const out = await fs.promises.open(target, "w", 0o600);
  const hash = crypto.createHash("sha256");
  let offset = 0;
  const write = async (chunk: Uint8Array) => {
    hash.update(chunk);
    offset += chunk.length;
    if (offset > LIMIT) throw new Error("the bundle would exceed 4 GiB, which needs ZIP64: narrow the filter");
    await out.write(chunk);
  };
  try {
    const offsets: number[] = [];
    for (const m of members) {
      if (m.size > LIMIT || m.csize > LIMIT) throw new Error(`${m.name} would exceed 4 GiB: narrow the filter`);
      offsets.push(offset);
      await write(header(m, when, null));
      if ("data" in m.deflated) await write(m.deflated.data);
      else
        for await (const chunk of fs.createReadStream(m.deflated.file, { highWaterMark: 1 << 20 }))
          await write(chunk as Buffer);
    }
    const cdStart = offset;
    for (const [i, m] of members.entries()) await write(header(m, when, offsets[i]!));
    const cdSize = offset - cdStart;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members.length, 8);
    end.writeUInt16LE(members.length, 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdStart, 16);
    await write(end);
    await out.sync();
    return { bytes: offset, sha256Hex: hash.digest("hex") };
  } finally {
    await out.close();
  }
}
