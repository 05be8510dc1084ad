import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../bytes.ts";
import { decodeEntryBundle, encodeEntryBundle, joinHashes } from "./entry-bundle.ts";

describe("entry bundles (tlog-tiles §Log entries: big-endian uint16 length prefixes)", () => {
  it("encodes known bytes and decodes them back", () => {
    const b = encodeEntryBundle([utf8("ab"), new Uint8Array(0), new Uint8Array(300).fill(7)]);
    expect(toHex(b.subarray(0, 6))).toBe("000261620000");
    expect(toHex(b.subarray(6, 8))).toBe("012c"); // 300
    expect(b).toHaveLength(2 + 2 + 2 + 0 + 2 + 300);
    const back = decodeEntryBundle(b, 3);
    expect(back.map((e) => e.length)).toEqual([2, 0, 300]);
    expect(decodeEntryBundle(new Uint8Array(0))).toEqual([]);
  });

  it("refuses truncation, leftovers, the wrong count and entries that cannot be prefixed", () => {
    const b = encodeEntryBundle([utf8("hello"), utf8("world")]);
    expect(() => decodeEntryBundle(b.subarray(0, b.length - 1))).toThrow(/truncated in entry 1/);
    expect(() => decodeEntryBundle(b.subarray(0, 8))).toThrow(/truncated in the length of entry 1/);
    expect(() => decodeEntryBundle(b, 3)).toThrow(/2 entries, expected 3/);
    expect(() => encodeEntryBundle([new Uint8Array(65_536)])).toThrow(/at most 65535/);
    expect(encodeEntryBundle([new Uint8Array(65_535)])).toHaveLength(65_537);
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(1)))).toThrow(/at most 256/);
    expect(() => decodeEntryBundle(new Uint8Array(257 * 2))).toThrow(/more than 256/);
  });

  it("joins hashes into tile bytes", () => {
    expect(joinHashes([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)])).toHaveLength(64);
    expect(() => joinHashes([new Uint8Array(31)])).toThrow();
  });
});
