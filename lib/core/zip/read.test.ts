import { zipSync, type Zippable } from "fflate";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.ts";
import { readZip } from "./read.ts";

// Hostile archives: each one is refused with a reason that names the problem, and
// nothing is inflated past what the archive declared.

const text = (s: string) => new TextEncoder().encode(s);
const regular = { os: 3, attrs: 0o100644 << 16 };

function zip(files: Record<string, Uint8Array>, attrs: Record<string, { os: number; attrs: number }> = {}): Uint8Array {
  const z: Zippable = {};
  for (const [n, d] of Object.entries(files)) z[n] = [d, attrs[n] ?? regular];
  return zipSync(z, { level: 6 });
}

/** Replaces every occurrence of `from` (same length) in the archive's bytes: names live in two headers. */
function patchAll(b: Uint8Array, from: string, to: string): Uint8Array {
  const f = text(from);
  const t = text(to);
  expect(t.length).toBe(f.length);
  const out = b.slice();
  for (let i = 0; i + f.length <= out.length; i++) if (f.every((x, j) => out[i + j] === x)) out.set(t, i);
  return out;
}

function centralOffset(b: Uint8Array, name: string): number {
  const n = text(name);
  for (let i = 0; i < b.length - 46; i++) {
    if (
      b[i] === 0x50 &&
      b[i + 1] === 0x4b &&
      b[i + 2] === 0x01 &&
      b[i + 3] === 0x02 &&
      n.every((x, j) => b[i + 46 + j] === x)
    )
      return i;
  }
  throw new Error("no central entry");
}

describe("crc32", () => {
  it("gives the standard check value", () => {
    expect(crc32(text("123456789"))).toBe(0xcbf43926);
    expect(crc32(text("6789"), crc32(text("12345")))).toBe(0xcbf43926);
  });
});

describe("readZip", () => {
  it("reads plain top-level files", () => {
    const r = readZip(zip({ "a.txt": text("hello"), "b.txt": new Uint8Array(0) }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(new TextDecoder().decode(r.files.get("a.txt"))).toBe("hello");
      expect(r.files.get("b.txt")).toHaveLength(0);
    }
  });

  it.each([
    ["../evil.txt", /'\.\.'|folders/],
    ["/etc/passwd", /folders/],
    ["..\\evil.txt", /folders/],
    ["dir/file.txt", /folders/],
    ["C:evil.txt", /drive-letter/],
  ])("refuses the name %s", (name, reason) => {
    const r = readZip(zip({ [name]: text("x") }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("refuses directories", () => {
    const r = readZip(zip({ "dir/": new Uint8Array(0) }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/directory/) });
    const dosDir = readZip(zip({ dir: new Uint8Array(0) }, { dir: { os: 0, attrs: 0x10 } }));
    expect(dosDir).toMatchObject({ ok: false, reason: expect.stringMatching(/directory/) });
  });

  it("refuses symbolic links (Unix mode in the external attributes)", () => {
    const r = readZip(
      zip({ "public-key.pem": text("/etc/shadow") }, { "public-key.pem": { os: 3, attrs: 0o120777 << 16 } }),
    );
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/symbolic link/) });
  });

  it("refuses duplicate names, also when they differ only in case", () => {
    const dup = patchAll(zip({ "aaaa.txt": text("1"), "bbbb.txt": text("2") }), "bbbb.txt", "aaaa.txt");
    expect(readZip(dup)).toMatchObject({ ok: false, reason: expect.stringMatching(/more than once/) });
    const folded = patchAll(zip({ "aaaa.txt": text("1"), "bbbb.txt": text("2") }), "bbbb.txt", "AAAA.txt");
    expect(readZip(folded)).toMatchObject({ ok: false, reason: expect.stringMatching(/more than once/) });
  });

  it("refuses too many files", () => {
    const files = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}`, text(String(i))]));
    expect(readZip(zip(files))).toMatchObject({ ok: false, reason: expect.stringMatching(/too many files \(70/) });
  });
});

describe("readZip: sizes, bombs and corruption", () => {
  it("refuses a bomb by its declared ratio", () => {
    const r = readZip(zip({ "events.jsonl": new Uint8Array(20 * 1024 * 1024) }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/ratio/) });
  });

  it("refuses declared sizes beyond the caps", () => {
    const z = zip({ "a.bin": new Uint8Array(5000).fill(7), "b.bin": new Uint8Array(5000).fill(8) });
    expect(readZip(z, { maxFileBytes: 4000 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/declares 5000 bytes/),
    });
    expect(readZip(z, { maxTotalBytes: 8000 })).toMatchObject({ ok: false, reason: expect.stringMatching(/together/) });
  });

  it("counts the bytes actually inflated: a member that lies about its size is refused", () => {
    const z = zip({ "events.jsonl": new Uint8Array(300_000).fill(65) });
    const c = centralOffset(z, "events.jsonl");
    const lie = z.slice();
    new DataView(lie.buffer).setUint32(c + 24, 1000, true); // declared uncompressed size
    const r = readZip(lie, { maxRatio: 1e9 });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/more than its declared 1000 bytes/) });
  });

  it("refuses corrupt data by its CRC-32", () => {
    const z = zip({ "a.txt": text("stored?") });
    const c = centralOffset(z, "a.txt");
    const bad = z.slice();
    const dv = new DataView(bad.buffer);
    dv.setUint32(c + 16, (dv.getUint32(c + 16, true) ^ 1) >>> 0, true);
    expect(readZip(bad)).toMatchObject({ ok: false, reason: expect.stringMatching(/CRC-32/) });
  });

  it("refuses what is not a ZIP, truncated archives and trailing data", () => {
    expect(readZip(text("not a zip at all, just some text here")).ok).toBe(false);
    const z = zip({ "a.txt": text("hello") });
    expect(readZip(z.subarray(0, z.length - 10)).ok).toBe(false);
    const extra = new Uint8Array(z.length + 3);
    extra.set(z);
    expect(readZip(extra).ok).toBe(false);
  });
});
