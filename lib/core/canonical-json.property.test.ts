import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { seededRandom } from "@/test/support/prng.ts";

// RFC 8785 properties over arbitrary JSON (fast-check): the output is JSON that
// means the same value, canonicalizing it again changes nothing, member order
// never matters, keys come out in UTF-16 code-unit order, hostile keys
// (`__proto__`, `constructor`, `prototype`) are plain data, and anything JSON
// cannot represent (lone surrogates, NaN, undefined, functions) is an Error,
// never a wrong hash input. Known-answer vectors are in canonical-json.test.ts.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** JSON values whose keys include the names that reach prototypes when assigned. */
const hostileJson = fc
  .jsonValue({ maxDepth: 4 })
  .chain((v) =>
    fc
      .constantFrom("__proto__", "constructor", "prototype", "polluted")
      .map((k) => `{${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"},"z":${JSON.stringify(v) ?? "null"}}`),
  )
  .map((text) => JSON.parse(text) as unknown);

const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  hostileJson,
  fc.jsonValue({ maxDepth: 2, stringUnit: "grapheme" }),
);

function shuffleKeys(v: unknown, r: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, r));
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys)
      Object.defineProperty(out, k, {
        value: shuffleKeys((v as Record<string, unknown>)[k], r),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return v;
}

/** Deep JSON equality, member order ignored (vitest's equality special-cases a `constructor` key). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a !== null && typeof a === "object") {
    if (b === null || typeof b !== "object" || Array.isArray(b)) return false;
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.length === kb.length &&
      ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b) || (a === 0 && b === 0);
}

function keysInOrder(v: unknown): boolean {
  if (Array.isArray(v)) return v.every(keysInOrder);
  if (v !== null && typeof v === "object") {
    // A parsed object lists integer-like keys first whatever the text said: check the others.
    const keys = Object.keys(v).filter((k) => !/^(0|[1-9]\d{0,8})$/.test(k));
    // Code-unit order is JavaScript's default string comparison.
    for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return false;
    return Object.keys(v).every((k) => keysInOrder((v as Record<string, unknown>)[k]));
  }
  return true;
}

describe("canonicalJson (RFC 8785) properties", () => {
  it("is valid JSON of the same value, idempotent, and sorts every object's keys", () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const c = canonicalJson(v);
        const back = JSON.parse(c) as unknown;
        expect(sameJson(back, JSON.parse(JSON.stringify(v)))).toBe(true);
        expect(canonicalJson(back)).toBe(c);
        expect(keysInOrder(back)).toBe(true);
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it("does not depend on member order", () => {
    fc.assert(
      fc.property(anyJson, fc.integer(), (v, seed) => {
        expect(canonicalJson(shuffleKeys(v, seededRandom(seed)))).toBe(canonicalJson(v));
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps __proto__ as an own member in the output", () => {
    const v = JSON.parse('{"__proto__":{"polluted":1},"a":[{"constructor":{"prototype":{"polluted":2}}}]}') as unknown;
    expect(canonicalJson(v)).toBe('{"__proto__":{"polluted":1},"a":[{"constructor":{"prototype":{"polluted":2}}}]}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("throws an Error (never returns text) for strings with lone surrogates", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"),
        fc.string({ maxLength: 10 }),
        fc.boolean(),
        (a, lone, b, asKey) => {
          const s = a + lone + b;
          // A surrogate pair formed with a neighbour is not lone: skip those.
          fc.pre(/(?:[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/.test(s));
          const v = asKey ? { [s]: 1 } : { k: [s] };
          expect(() => canonicalJson(v)).toThrow(Error);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("throws an Error for values outside JSON", () => {
    for (const bad of [
      NaN,
      Infinity,
      -Infinity,
      undefined,
      () => 1,
      Symbol("s"),
      10n,
      new Date(0),
      { a: undefined },
      [undefined],
      new Map(),
    ]) {
      expect(() => canonicalJson(bad as unknown), String(bad)).toThrow(Error);
    }
  });

  it("handles huge strings and arrays (NUL, RTL override, 1 MiB)", () => {
    const big = "\u0000\u202e".repeat(512 * 1024);
    const c = canonicalJson({ big, arr: new Array(100_000).fill(0) });
    expect(sameJson(JSON.parse(c), { arr: new Array(100_000).fill(0), big })).toBe(true);
    expect(c.startsWith('{"arr":[0,0')).toBe(true);
  });
});
