import { describe, expect, it } from "vitest";
import { ATTRIBUTES_MAX_BYTES, checkAttributes, copyAttributes } from "./attributes.ts";
import { seededRandom } from "@/test/support/prng.ts";

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

// Characters that exercise every branch of the byte count: escapes, \u00XX escapes,
// allowed whitespace controls, 2-, 3- and 4-byte UTF-8.
const ALPHABET = [
  "a",
  "Z",
  "0",
  '"',
  "\\",
  "/",
  "\t",
  "\n",
  "\r",
  "é",
  "\u00a0",
  "€",
  "東",
  "\u{1F600}",
  "\u2028",
  " ",
];
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1,
  1.25e-10,
  1e-7,
  123456.789,
  -9007199254740991,
  5e-324,
  1.7976931348623157e308 / 1e300,
];

// Keys follow the identifier rule (no controls, no invisible or separator characters),
// so they draw from the alphabet minus tab/LF/CR and U+2028.
const KEY_ALPHABET = ALPHABET.filter(
  (c) => c >= " " && !/[\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u.test(c),
);

function randomString(rnd: () => number, alphabet = ALPHABET): string {
  let s = "";
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)]!;
  return s;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth < 5 && r < 0.2) {
    const obj: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) obj[`k${i}${randomString(rnd, KEY_ALPHABET)}`] = randomValue(rnd, depth + 1);
    return obj;
  }
  if (depth < 5 && r < 0.35) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  if (r < 0.6) return randomString(rnd);
  if (r < 0.85) return NUMBERS[Math.floor(rnd() * NUMBERS.length)]!;
  return r < 0.9 ? null : r < 0.95;
}

describe("checkAttributes size accounting", () => {
  it("matches the UTF-8 length of JSON.stringify exactly, at the 8192-byte boundary", () => {
    const rnd = seededRandom(42);
    for (let n = 0; n < 500; n++) {
      const base = randomValue(rnd, 2);
      const probe = { v: base, pad: "" };
      const room = ATTRIBUTES_MAX_BYTES - utf8Length(JSON.stringify(probe));
      if (room < 0) continue;
      const fits = { v: base, pad: "x".repeat(room) };
      expect(utf8Length(JSON.stringify(fits))).toBe(ATTRIBUTES_MAX_BYTES);
      expect(checkAttributes(fits, "/attributes"), `sample ${n}: ${JSON.stringify(base)}`).toEqual([]);
      const over = { v: base, pad: "x".repeat(room + 1) };
      expect(checkAttributes(over, "/attributes").map((e) => e.pointer)).toEqual(["/attributes"]);
    }
  });
});

describe("copyAttributes", () => {
  it("deep-copies without sharing and without prototype setters", () => {
    const src = { a: [1, { b: "c" }], d: { e: null } };
    const copy = copyAttributes(src);
    expect(copy).toEqual(src);
    expect(copy.a).not.toBe(src.a);
    expect((copy.a as unknown[])[1]).not.toBe(src.a[1]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });
});
