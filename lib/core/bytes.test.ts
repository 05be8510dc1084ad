import { describe, expect, it } from "vitest";
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from "./bytes.ts";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// RFC 4648 §10 test vectors.
const RFC4648: Array<[string, string, string]> = [
  ["", "", ""],
  ["f", "Zg==", "66"],
  ["fo", "Zm8=", "666F"],
  ["foo", "Zm9v", "666F6F"],
  ["foob", "Zm9vYg==", "666F6F62"],
  ["fooba", "Zm9vYmE=", "666F6F6261"],
  ["foobar", "Zm9vYmFy", "666F6F626172"],
];

describe("base64 (RFC 4648 §4)", () => {
  it.each(RFC4648)("BASE64(%j) = %j", (plain, b64) => {
    expect(toBase64(ascii(plain))).toBe(b64);
    expect(bytesEqual(fromBase64(b64), ascii(plain))).toBe(true);
  });

  it("round-trips every byte value and every length mod 3", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let len = 0; len <= 256; len += 1) {
      const b = all.subarray(256 - len);
      expect(toHex(fromBase64(toBase64(b)))).toBe(toHex(b));
      expect(toBase64(b)).toBe(Buffer.from(b).toString("base64"));
    }
  });

  it.each([
    ["Zg", "missing padding"],
    ["Zg=", "short padding"],
    ["Zg===", "extra padding"],
    ["Zh==", "non-zero padding bits"],
    ["Zm9=", "non-zero padding bits"],
    ["Zm 9v", "whitespace"],
    ["Zm9v\n", "newline"],
    ["Zm-_", "URL-safe alphabet"],
    ["Z=9v", "padding in the middle"],
    ["====", "only padding"],
  ])("rejects %j (%s)", (s) => {
    expect(() => fromBase64(s)).toThrow(/base64/);
  });
});

describe("hex (RFC 4648 §8)", () => {
  it.each(RFC4648)("BASE16(%j) = %j", (plain, _b64, b16) => {
    expect(toHex(ascii(plain))).toBe(b16.toLowerCase());
    expect(bytesEqual(fromHex(b16), ascii(plain))).toBe(true);
    expect(bytesEqual(fromHex(b16.toLowerCase()), ascii(plain))).toBe(true);
  });

  it.each(["0", "abc", "0g", "0x00", " 00", "+1"])("rejects %j", (s) => {
    expect(() => fromHex(s)).toThrow(/hex/);
  });
});

describe("utf8, concatBytes, bytesEqual", () => {
  it("encodes UTF-8 and refuses lone surrogates instead of replacing them", () => {
    expect(toHex(utf8("€😂"))).toBe("e282acf09f9882");
    expect(() => utf8("a\ud800b")).toThrow(/lone surrogate/);
    expect(() => utf8("\udc00")).toThrow(/lone surrogate/);
  });

  it("concatenates into a fresh array", () => {
    const a = Uint8Array.of(1, 2);
    const out = concatBytes(a, new Uint8Array(0), Uint8Array.of(3));
    expect([...out]).toEqual([1, 2, 3]);
    out[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes().length).toBe(0);
  });

  it("compares by length and content", () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
