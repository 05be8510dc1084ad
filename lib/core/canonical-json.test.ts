import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { toHex, utf8 } from "./bytes.ts";

// Known answers from RFC 8785 (text as in cyberphone/ietf-json-canon xmlv3/rfc8785.xml) and
// from cyberphone/json-canonicalization testdata/{input,output}/*.json.

function fromIeee754(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe("RFC 8785 examples", () => {
  // §3.2.2 input, §3.2.3 canonical text, §3.2.4 UTF-8 bytes.
  const input = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50,
                2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  const canonical = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
  const utf8Hex = `
    7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
    75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
    5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
    65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
    5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
    30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`.replace(/\s+/g, "");

  it("§3.2.3: canonicalizes the §3.2.2 sample", () => {
    expect(canonicalJson(JSON.parse(input))).toBe(canonical);
  });

  it("§3.2.4: produces the published UTF-8 bytes", () => {
    expect(toHex(utf8(canonicalJson(JSON.parse(input))))).toBe(utf8Hex);
  });

  it("§3.2.3: sorts property names by UTF-16 code units", () => {
    const sample = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const out = canonicalJson(JSON.parse(sample));
    const order = [...out.matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
    expect(out.startsWith(String.raw`{"\r":"Carriage Return","1":"One",`)).toBe(true);
  });

  // Appendix B: IEEE 754 bit patterns and their canonical text.
});

describe("RFC 8785 Appendix B: numbers", () => {
  const appendixB: Array<[string, string]> = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  it.each(appendixB)("Appendix B: 0x%s → %s", (bits, want) => {
    expect(canonicalJson(fromIeee754(bits))).toBe(want);
    expect(canonicalJson({ n: fromIeee754(bits) })).toBe(`{"n":${want}}`);
  });

  it.each(["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])(
    "Appendix B: 0x%s (NaN/Infinity) is an error",
    (bits) => {
      expect(() => canonicalJson(fromIeee754(bits))).toThrow(/not representable/);
      expect(() => canonicalJson({ a: [fromIeee754(bits)] })).toThrow(/at \/a\/0/);
    },
  );
});

describe("cyberphone/json-canonicalization testdata", () => {
  const cases: Array<[string, string, string]> = [
    [
      "values.json",
      String.raw`{
  "numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`,
      String.raw`{"escaping":"€$\u000f\nA'B\"\\\\\"/","literals":[null,true,false],"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}`,
    ],
    [
      "structures.json",
      String.raw`{
  "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}`,
      String.raw`{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}`,
    ],
    [
      "weird.json",
      String.raw`{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}`,
      // The expected file holds U+0080 and U+007F raw; written here as escapes.
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ],
    [
      "french.json",
      `{
  "peach": "This sorting order",
  "péché": "is wrong according to French",
  "pêche": "but canonicalization MUST",
  "sin":   "ingnore locale"
}`,
      '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ingnore locale"}',
    ],
    ["unicode.json", String.raw`{"Unnormalized Unicode":"\u1e0d\u0307"}`, '{"Unnormalized Unicode":"\u1e0d\u0307"}'],
  ];
  it.each(cases)("%s", (_name, input, want) => {
    expect(canonicalJson(JSON.parse(input))).toBe(want);
  });
});

describe("values outside the JSON data model are errors, not silently changed", () => {
  class Thing {
    x = 1;
  }
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;

  it.each<[string, unknown, RegExp]>([
    ["undefined at the root", undefined, /undefined at \(root\)/],
    ["an undefined member", { a: 1, b: undefined }, /undefined at \/b/],
    ["an undefined array element", [1, undefined], /undefined at \/1/],
    ["a sparse array hole", sparse, /undefined at \/1/],
    ["NaN", { n: Number.NaN }, /NaN at \/n/],
    ["Infinity", { n: Number.POSITIVE_INFINITY }, /Infinity at \/n/],
    ["-Infinity", [Number.NEGATIVE_INFINITY], /-Infinity at \/0/],
    ["a bigint", { n: 1n }, /bigint at \/n/],
    ["a function", { f: () => 1 }, /function at \/f/],
    ["a symbol", { s: Symbol("x") }, /symbol at \/s/],
    ["a symbol key", { [Symbol("k")]: 1 }, /symbol-keyed/],
    ["a Date", { d: new Date(0) }, /Date instance at \/d/],
    ["a Map", new Map(), /Map instance/],
    ["a Uint8Array", { b: new Uint8Array(2) }, /Uint8Array instance at \/b/],
    ["a class instance", { t: new Thing() }, /Thing instance at \/t/],
    ["an object with toJSON", { v: { toJSON: () => "x" } }, /toJSON at \/v/],
    ["a cycle", cyclic, /circular reference at \/self/],
    ["a lone surrogate in a value", { s: "a\ud800" }, /lone surrogate at \/s/],
    ["a lone surrogate in a key", { ["k\udc00"]: 1 }, /property name with a lone surrogate/],
    ["a pointer needing escapes", { "a/b": { "c~d": undefined } }, /undefined at \/a~1b\/c~0d/],
  ])("rejects %s", (_what, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("accepts JSON-model values, including -0, null-prototype objects and shared (acyclic) references", () => {
    const shared = { x: 1 };
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 2;
    bare.a = -0;
    expect(canonicalJson({ p: shared, q: shared, r: bare, s: [null, true, "ok"] })).toBe(
      '{"p":{"x":1},"q":{"x":1},"r":{"a":0,"b":2},"s":[null,true,"ok"]}',
    );
    expect(canonicalJson("😂")).toBe('"😂"');
    expect(canonicalJson(null)).toBe("null");
  });
});
