import { describe, expect, it } from "vitest";
import { isExactNumber, scanJson } from "./json-scan.ts";
import { seededRandom } from "@/test/support/prng.ts";

const scan = (text: string, maxDepth = 64) => scanJson(text, { maxDepth });

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("scanJson grammar", () => {
  it("accepts valid JSON texts", () => {
    for (const t of [
      "{}",
      "[]",
      " \t\r\n{ } ",
      '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
      "0",
      "-0.5e+10",
      "1E-2",
      '"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"',
      '"\ud800"',
      "[[],[[]],{}]",
    ]) {
      expect(scan(t).ok, t).toBe(true);
    }
  });

  it("rejects invalid JSON texts with an offset", () => {
    for (const t of [
      "",
      " ",
      "{",
      "[1,]",
      "{,}",
      '{"a":1,}',
      '{"a" 1}',
      "{a:1}",
      "[01]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[+1]",
      "[-]",
      "[NaN]",
      "[Infinity]",
      "[tru]",
      "[nul]",
      "['a']",
      '["a\nb"]',
      '["\\x41"]',
      '["\\u12G4"]',
      '"abc',
      "{}{}",
      "[] x",
      "[1 2]",
      "\u00a0[]",
      "\ufeff[]",
    ]) {
      const r = scan(t);
      expect(r.ok, JSON.stringify(t)).toBe(false);
      if (!r.ok) expect(r.issues[0]!.kind).toBe("syntax");
    }
  });

  it("agrees with JSON.parse on thousands of random mutations", () => {
    const rnd = seededRandom(7);
    const seeds = [
      '{"id":"e-1","n":[1,-2.5e3,true,null],"o":{"k":"v\\u0041"}}',
      '[{"a":{}},{"b":[]},"x",0]',
      '{"":"","\\"":"\\\\"}',
    ];
    const pieces = [
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"',
      "\\",
      "-",
      "0",
      "1",
      ".",
      "e",
      "+",
      " ",
      "\n",
      "t",
      "n",
      "u",
      "x",
      "\u0000",
    ];
    for (let n = 0; n < 5000; n++) {
      let t = seeds[n % seeds.length]!;
      const edits = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < edits; k++) {
        const pos = Math.floor(rnd() * (t.length + 1));
        const r = rnd();
        if (r < 0.4) t = t.slice(0, pos) + pieces[Math.floor(rnd() * pieces.length)]! + t.slice(pos);
        else if (r < 0.8) t = t.slice(0, pos) + t.slice(pos + 1);
        else t = t.slice(0, pos) + pieces[Math.floor(rnd() * pieces.length)]! + t.slice(pos + 1);
      }
      const r = scan(t);
      // A scan may also fail on duplicate keys, which JSON.parse accepts.
      const dupOnly = !r.ok && r.issues.every((i) => i.kind === "duplicate-key");
      expect(r.ok || dupOnly, JSON.stringify(t)).toBe(parses(t));
    }
  });
});

describe("scanJson limits", () => {
  it("enforces depth iteratively (root container is level 1)", () => {
    expect(scan("[[[]]]", 3).ok).toBe(true);
    const r = scan("[[[[]]]]", 3);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toEqual({ kind: "depth", offset: 3 });
    const hostile = "[".repeat(1_000_000);
    const h = scan(hostile);
    expect(h.ok).toBe(false);
    if (!h.ok) expect(h.issues[0]).toEqual({ kind: "depth", offset: 64 });
    // Brackets inside strings are not nesting.
    expect(scan(`["${"[".repeat(1000)}"]`, 2).ok).toBe(true);
  });

  it("stops at the root item limit", () => {
    expect(scanJson("[1,2,3]", { maxDepth: 8, maxRootItems: 3 }).ok).toBe(true);
    const r = scanJson("[1,2,3,4]", { maxDepth: 8, maxRootItems: 3 });
    expect(r.ok ? null : r.issues[0]?.kind).toBe("too-many-items");
  });

  it("finds duplicate keys after unescaping, with their paths", () => {
    const r = scan('[{"a":1},{"x":{"a":1,"\\u0061":2}},{"b":{"c":1},"b":2,"b":3}]');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => (i.kind === "duplicate-key" ? i.path : null))).toEqual([
        [1, "x", "a"],
        [2, "b"],
        [2, "b"],
      ]);
    }
    // Same key in sibling objects is not a duplicate.
    expect(scan('[{"a":1},{"a":2}]').ok).toBe(true);
    expect(scan('{"a":{"a":{"a":1}}}').ok).toBe(true);
    // Case and escapes of surrogates: "\uD800" and "\ud800" are the same key.
    expect(scan('{"\\uD800":1,"\\ud800":2}').ok).toBe(false);
    expect(scan('{"A":1,"a":2}').ok).toBe(true);
  });

  it("scans a sub-range only", () => {
    const text = 'xx{"a":1}yy';
    expect(scanJson(text, { start: 2, end: 9, maxDepth: 4 }).ok).toBe(true);
    expect(scanJson(text, { start: 2, end: 8, maxDepth: 4 }).ok).toBe(false);
    expect(scanJson("[true]", { start: 0, end: 4, maxDepth: 4 }).ok).toBe(false);
  });
});

// Security regression (issue 13 item 8): JSON.parse rounds to the nearest double, so a
// number could be stored as another one. The scanner names each such number and where.
describe("numbers JSON.parse would change", () => {
  it.each([
    "0",
    "-0",
    "1",
    "1.0",
    "1.50",
    "0.1",
    "1e2",
    "1E-7",
    "5e-324",
    "2.2250738585072014e-308",
    "123456.789",
    "9007199254740991",
    "1e21",
    "-1.5e300",
    "0.000001",
  ])("%s is exact", (t) => expect(isExactNumber(t)).toBe(true));
  it.each([
    "1.00000000000000000001",
    "9007199254740993",
    "1e-400",
    "1e400",
    "0.1000000000000000055511151231257827",
    "123456789.123456789123",
  ])("%s is not", (t) => expect(isExactNumber(t)).toBe(false));
  it("reports the path of each one", () => {
    const r = scanJson('[{"a":1},{"a":[0.5,1.00000000000000000001],"b":{"c":1e-400}}]', { maxDepth: 8 });
    expect(r.ok && r.inexactNumbers).toEqual([
      { path: [1, "a", 1], text: "1.00000000000000000001", parsed: 1 },
      { path: [1, "b", "c"], text: "1e-400", parsed: 0 },
    ]);
  });
});
