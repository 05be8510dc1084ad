import { describe, expect, it } from "vitest";
import { canonicalJson } from "../core/canonical-json.ts";
import {
  normalizedEventSchema,
  TOP_LEVEL_FIELDS,
  validateEvent,
  type FieldError,
  type ValidateEventResult,
} from "./event.ts";
import { seededRandom } from "@/test/support/prng.ts";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

function valid(): Record<string, unknown> {
  return {
    id: "evt-0001",
    timestamp: "2024-05-01T12:00:00Z",
    eventType: "read",
    requester: { id: "spiffe://example.org/ns/prod/sa/billing", type: "workload", ip: "10.0.0.7" },
    target: { id: "db://orders/customers", service: "orders", type: "db" },
    action: "SELECT customers",
    outcome: "success",
    correlationId: "abc-123",
    reason: "nightly export",
    attributes: { rows: 42, tags: ["a", "b"], nested: { ok: true } },
  };
}

function minimal(): Record<string, unknown> {
  return {
    timestamp: "2024-05-01T12:00:00Z",
    eventType: "write",
    requester: { id: "svc-a" },
    target: { id: "queue://jobs" },
    outcome: "denied",
  };
}

function with_(patch: Record<string, unknown>, base = valid()): Record<string, unknown> {
  return { ...base, ...patch };
}

function errorsOf(r: ValidateEventResult): FieldError[] {
  if (r.ok) throw new Error(`expected errors, got ok: ${JSON.stringify(r.event)}`);
  return r.errors;
}

function pointers(r: ValidateEventResult): string[] {
  return errorsOf(r).map((e) => e.pointer);
}

function okEvent(r: ValidateEventResult) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.event;
}

describe("validateEvent: accepted events", () => {
  it("accepts a full event and keeps every field", () => {
    const e = okEvent(validateEvent(valid()));
    expect(e).toEqual({ ...valid(), timestamp: "2024-05-01T12:00:00.000Z" });
    expect(normalizedEventSchema.safeParse(e).success).toBe(true);
  });

  it("accepts a minimal event, defaults requester.type and omits absent fields", () => {
    const e = okEvent(validateEvent(minimal()));
    expect(e).toEqual({
      timestamp: "2024-05-01T12:00:00.000Z",
      eventType: "write",
      requester: { id: "svc-a", type: "service" },
      target: { id: "queue://jobs" },
      outcome: "denied",
    });
    // Omitted, not undefined-valued: JCS and the leaf hash must not see phantom keys.
    expect(Object.keys(e).sort()).toEqual(["eventType", "outcome", "requester", "target", "timestamp"]);
    expect(Object.keys(e.requester).sort()).toEqual(["id", "type"]);
    expect(Object.keys(e.target)).toEqual(["id"]);
  });

  it("returns fresh objects that share nothing with the input", () => {
    const input = valid();
    const e = okEvent(validateEvent(input));
    expect(e).not.toBe(input);
    expect(e.requester).not.toBe(input.requester);
    expect(e.target).not.toBe(input.target);
    expect(e.attributes).not.toBe(input.attributes);
    expect(e.attributes?.tags).not.toBe((input.attributes as { tags: unknown }).tags);
    (input.attributes as { nested: { ok: boolean } }).nested.ok = false;
    expect(e.attributes?.nested).toEqual({ ok: true });
  });

  it("accepts every enum value", () => {
    for (const eventType of ["read", "write", "modify", "delete", "execute", "authenticate"]) {
      expect(validateEvent(with_({ eventType })).ok).toBe(true);
    }
    for (const outcome of ["success", "failure", "denied"]) expect(validateEvent(with_({ outcome })).ok).toBe(true);
    for (const type of ["service", "workload", "job", "device", "user"]) {
      expect(validateEvent(with_({ requester: { id: "x", type } })).ok).toBe(true);
    }
  });
});

describe("validateEvent: structure", () => {
  it("rejects non-objects with pointer ''", () => {
    for (const raw of [null, 1, "x", [], [valid()], true, undefined, new Date()]) {
      expect(pointers(validateEvent(raw))).toEqual([""]);
    }
  });

  it("reports every missing required field", () => {
    expect(pointers(validateEvent({}))).toEqual(["/timestamp", "/eventType", "/requester", "/target", "/outcome"]);
    expect(pointers(validateEvent(with_({ requester: {}, target: {} })))).toEqual(["/requester/id", "/target/id"]);
  });

  it("rejects unknown top-level fields and unknown keys inside requester and target", () => {
    const r = validateEvent(
      with_({ extra: 1, "a/b": 2, requester: { id: "x", name: "n" }, target: { id: "t", owner: "o" } }),
    );
    expect(pointers(r)).toEqual(["/extra", "/a~1b", "/requester/name", "/target/owner"]);
    expect(errorsOf(r)[0]!.detail).toMatch(/not a known field/);
  });

  it("rejects wrong types, null included", () => {
    const r = validateEvent({
      id: 7,
      timestamp: 1714564800000,
      eventType: null,
      requester: "svc",
      target: ["t"],
      action: false,
      outcome: 1,
      correlationId: {},
      reason: null,
      attributes: [],
    });
    expect(pointers(r)).toEqual([
      "/id",
      "/timestamp",
      "/eventType",
      "/requester",
      "/target",
      "/action",
      "/outcome",
      "/correlationId",
      "/reason",
      "/attributes",
    ]);
  });

  it("reports all errors of a multi-error event with their pointers", () => {
    const r = validateEvent({
      id: " padded",
      timestamp: "2023-02-30T00:00:00Z",
      eventType: "peek",
      requester: { id: "x".repeat(513), type: "robot", ip: "999.1.1.1", extra: true },
      target: { id: "", service: "s".repeat(129), type: "t\u202e" },
      action: "a".repeat(257),
      outcome: "maybe",
      correlationId: "c\n",
      reason: "r".repeat(1025),
      attributes: { __proto__x: 1, constructor: 1 },
      bogus: 1,
    });
    expect(pointers(r)).toEqual([
      "/bogus",
      "/id",
      "/timestamp",
      "/eventType",
      "/requester/extra",
      "/requester/id",
      "/requester/type",
      "/requester/ip",
      "/target/id",
      "/target/service",
      "/target/type",
      "/action",
      "/outcome",
      "/correlationId",
      "/reason",
      "/attributes/constructor",
    ]);
    for (const e of errorsOf(r)) expect(e.detail.length).toBeGreaterThan(5);
  });
});

describe("validateEvent: id", () => {
  it("accepts 1–128 printable ASCII characters, inner spaces included", () => {
    for (const id of ["a", "x".repeat(128), "order 42/step~1", "!~"])
      expect(validateEvent(with_({ id })).ok).toBe(true);
  });

  it("rejects empty, too long, non-ASCII, control characters and edge spaces", () => {
    const cases: Array<[string, RegExp]> = [
      ["", /1–128/],
      ["x".repeat(129), /1–128/],
      ["caf\u00e9", /printable ASCII/],
      ["a\tb", /printable ASCII/],
      ["a\u007f", /printable ASCII/],
      ["\ud800", /printable ASCII/],
      [" a", /space/],
      ["a ", /space/],
    ];
    for (const [id, rule] of cases) {
      const errs = errorsOf(validateEvent(with_({ id })));
      expect(errs.every((e) => e.pointer === "/id")).toBe(true);
      expect(errs.map((e) => e.detail).join("; ")).toMatch(rule);
    }
  });
});

describe("validateEvent: string fields", () => {
  const fields: Array<{ name: string; max: number; set: (v: unknown) => Record<string, unknown>; pointer: string }> = [
    { name: "requester.id", max: 512, set: (v) => with_({ requester: { id: v } }), pointer: "/requester/id" },
    { name: "target.id", max: 1024, set: (v) => with_({ target: { id: v } }), pointer: "/target/id" },
    {
      name: "target.service",
      max: 128,
      set: (v) => with_({ target: { id: "t", service: v } }),
      pointer: "/target/service",
    },
    { name: "target.type", max: 64, set: (v) => with_({ target: { id: "t", type: v } }), pointer: "/target/type" },
    { name: "action", max: 256, set: (v) => with_({ action: v }), pointer: "/action" },
    { name: "correlationId", max: 128, set: (v) => with_({ correlationId: v }), pointer: "/correlationId" },
    { name: "reason", max: 1024, set: (v) => with_({ reason: v }), pointer: "/reason" },
  ];

  for (const f of fields) {
    it(`${f.name}: length limit ${f.max} in code points`, () => {
      expect(validateEvent(f.set("x".repeat(f.max))).ok).toBe(true);
      // Astral characters are two UTF-16 units but one character.
      expect(validateEvent(f.set("\u{1F600}".repeat(f.max))).ok).toBe(true);
      const errs = errorsOf(validateEvent(f.set("x".repeat(f.max + 1))));
      expect(errs).toEqual([{ pointer: f.pointer, detail: `must be at most ${f.max} characters` }]);
    });

    it(`${f.name}: non-empty string`, () => {
      expect(pointers(validateEvent(f.set("")))).toEqual([f.pointer]);
      expect(pointers(validateEvent(f.set(42)))).toEqual([f.pointer]);
      expect(pointers(validateEvent(f.set(null)))).toEqual([f.pointer]);
    });

    it(`${f.name}: control characters and lone surrogates rejected`, () => {
      for (const bad of ["a\u0000b", "a\nb", "a\tb", "a\rb", "a\u001fb", "a\u007fb", "a\u0085b", "a\u009fb"]) {
        const errs = errorsOf(validateEvent(f.set(bad)));
        expect(errs).toEqual([
          {
            pointer: f.pointer,
            detail: expect.stringMatching(
              /^must not contain control characters \(found U\+00[0-9A-F]{2} .* at character 2\)$/,
            ),
          },
        ]);
      }
      for (const bad of ["\ud800", "a\udc00b", "\udbff\ud800"]) {
        expect(errorsOf(validateEvent(f.set(bad)))).toEqual([
          {
            pointer: f.pointer,
            detail: expect.stringMatching(
              /^must not contain lone surrogates \(invalid Unicode; found U\+D[89A-F][0-9A-F]{2} \(lone surrogate\) at character \d\)$/,
            ),
          },
        ]);
      }
      // Non-control, non-ASCII text is fine.
      expect(validateEvent(f.set("zürich-東京-\u00a0-\u{1F600}")).ok).toBe(true);
    });
  }

  it("bidi override/isolate characters are rejected in identifiers, allowed in reason", () => {
    for (const ch of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      for (const f of fields.filter((x) => x.name !== "reason")) {
        expect(pointers(validateEvent(f.set(`admin${ch}txt.exe`)))).toEqual([f.pointer]);
      }
      expect(validateEvent(with_({ reason: `quoted ${ch}name\u2069` })).ok).toBe(true);
    }
    // Every other invisible mark is refused too (identifier.test.ts has the full list).
    expect(pointers(validateEvent(with_({ action: "a\u200eb" })))).toEqual(["/action"]);
  });

  it("whitespace-only identifiers are rejected", () => {
    expect(pointers(validateEvent(with_({ requester: { id: "   " } })))).toEqual(["/requester/id"]);
  });
});

describe("validateEvent: enums", () => {
  it("rejects values outside the enums and names the allowed ones", () => {
    const r = validateEvent(with_({ eventType: "READ", outcome: "ok", requester: { id: "x", type: "human" } }));
    expect(errorsOf(r)).toEqual([
      { pointer: "/eventType", detail: "must be one of: read, write, modify, delete, execute, authenticate" },
      { pointer: "/requester/type", detail: "must be one of: service, workload, job, device, user" },
      { pointer: "/outcome", detail: "must be one of: success, failure, denied" },
    ]);
  });
});

describe("validateEvent: requester.ip", () => {
  it("accepts IPv4 and IPv6, lowercasing IPv6", () => {
    const ip = (v: string) => okEvent(validateEvent(with_({ requester: { id: "x", ip: v } }))).requester.ip;
    expect(ip("192.168.0.1")).toBe("192.168.0.1");
    expect(ip("2001:DB8::A")).toBe("2001:db8::a");
    expect(ip("::FFFF:10.0.0.1")).toBe("::ffff:10.0.0.1");
  });

  it("rejects non-IP strings", () => {
    for (const v of ["", "localhost", "10.0.0.256", "010.0.0.1", "::1%eth0", "[::1]", "10.0.0.1:80", 17]) {
      expect(pointers(validateEvent(with_({ requester: { id: "x", ip: v } })))).toEqual(["/requester/ip"]);
    }
  });
});

describe("validateEvent: timestamp", () => {
  it("normalizes to UTC with milliseconds", () => {
    const ts = (t: string, now?: Date) => okEvent(validateEvent(with_({ timestamp: t }), { now })).timestamp;
    expect(ts("2024-05-01T14:00:00.123456789+02:00")).toBe("2024-05-01T12:00:00.123Z");
    expect(ts("2024-02-29T23:30:00-01:00")).toBe("2024-03-01T00:30:00.000Z");
  });

  it("rejects invalid timestamps with the rule", () => {
    const cases: Array<[string, RegExp]> = [
      ["2024-05-01", /RFC 3339/],
      ["2023-02-29T00:00:00Z", /calendar date/],
      ["2024-05-01T24:00:00Z", /hour/],
      ["1969-12-31T23:59:59Z", /1970/],
    ];
    for (const [t, rule] of cases) {
      const errs = errorsOf(validateEvent(with_({ timestamp: t })));
      expect(errs).toHaveLength(1);
      expect(errs[0]!.pointer).toBe("/timestamp");
      expect(errs[0]!.detail).toMatch(rule);
    }
  });

  it("applies the future-skew limit only when now is given", () => {
    const now = new Date("2024-05-01T00:00:00Z");
    const future = with_({ timestamp: "2024-05-02T00:00:00.001Z" });
    expect(validateEvent(future).ok).toBe(true);
    expect(pointers(validateEvent(future, { now }))).toEqual(["/timestamp"]);
    expect(validateEvent(with_({ timestamp: "2024-05-02T00:00:00Z" }), { now }).ok).toBe(true);
  });
});

describe("validateEvent: correlationId and traceparent", () => {
  it("takes the trace-id of a valid traceparent when the body has no correlationId", () => {
    const e = okEvent(validateEvent(minimal(), { traceparent: TRACEPARENT }));
    expect(e.correlationId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("prefers the body's correlationId and then ignores the header, valid or not", () => {
    expect(okEvent(validateEvent(valid(), { traceparent: TRACEPARENT })).correlationId).toBe("abc-123");
    expect(okEvent(validateEvent(valid(), { traceparent: "garbage" })).correlationId).toBe("abc-123");
  });

  it("leaves correlationId absent without a header (null, undefined or empty)", () => {
    for (const traceparent of [null, undefined, "", "  "]) {
      const e = okEvent(validateEvent(minimal(), { traceparent }));
      expect("correlationId" in e).toBe(false);
    }
  });

  it("reports an invalid traceparent at /correlationId when it would be used", () => {
    for (const traceparent of [
      "garbage",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
    ]) {
      const errs = errorsOf(validateEvent(minimal(), { traceparent }));
      expect(errs).toHaveLength(1);
      expect(errs[0]!.pointer).toBe("/correlationId");
      expect(errs[0]!.detail).toMatch(/traceparent header/);
    }
  });
});

describe("validateEvent: attributes", () => {
  it("accepts nested JSON and rejects non-objects", () => {
    expect(validateEvent(with_({ attributes: {} })).ok).toBe(true);
    for (const attributes of [[], "x", 1, null]) {
      expect(pointers(validateEvent(with_({ attributes })))).toEqual(["/attributes"]);
    }
  });

  it("depth: the attributes object is level 1; 5 levels pass, 6 fail", () => {
    expect(validateEvent(with_({ attributes: { a: { b: { c: { d: { e: 1 } } } } } })).ok).toBe(true);
    expect(validateEvent(with_({ attributes: { a: [[[{ e: "scalar at level 6 is fine" }]]] } })).ok).toBe(true);
    expect(errorsOf(validateEvent(with_({ attributes: { a: { b: { c: { d: { e: {} } } } } } })))).toEqual([
      {
        pointer: "/attributes/a/b/c/d/e",
        detail: "nesting depth must be at most 5 (the attributes object is level 1)",
      },
    ]);
    expect(pointers(validateEvent(with_({ attributes: { a: [[[[[]]]]] } })))).toEqual(["/attributes/a/0/0/0/0"]);
  });

  it("a 100 000-deep array is a clean error, not a RangeError", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = validateEvent(with_({ attributes: { deep } }));
    expect(pointers(r)).toEqual(["/attributes/deep/0/0/0/0"]);
    // Also via JSON.parse of the text, as the ingest route would see it.
    const text = `{"deep":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // an engine whose JSON.parse refuses is fine; parse-body guards anyway
    }
    if (parsed !== undefined) expect(validateEvent(with_({ attributes: parsed })).ok).toBe(false);
  });

  it("size: 8192 bytes of UTF-8 JSON pass, 8193 fail", () => {
    // {"k":"…"} is 8 bytes of framing.
    const fits = { k: "x".repeat(8192 - 8) };
    expect(new TextEncoder().encode(JSON.stringify(fits)).length).toBe(8192);
    expect(validateEvent(with_({ attributes: fits })).ok).toBe(true);
    const over = { k: "x".repeat(8192 - 7) };
    expect(errorsOf(validateEvent(with_({ attributes: over })))).toEqual([
      { pointer: "/attributes", detail: "must be at most 8192 bytes when serialized as JSON (UTF-8)" },
    ]);
    // Multi-byte characters count in UTF-8 bytes, not characters.
    expect(validateEvent(with_({ attributes: { k: "é".repeat(4092) } })).ok).toBe(true); // 8 + 8184
    expect(validateEvent(with_({ attributes: { k: "é".repeat(4093) } })).ok).toBe(false);
  });

  it("a huge attributes object fails fast on size", () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) big[`k${i}`] = i;
    const started = Date.now();
    expect(pointers(validateEvent(with_({ attributes: big })))).toEqual(["/attributes"]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pointers(validateEvent(with_({ attributes: { a: new Array(10_000_000) } })))).toEqual(["/attributes"]);
  });

  it("rejects __proto__ from JSON.parse without polluting Object.prototype", () => {
    const attributes: unknown = JSON.parse('{"__proto__":{"x":1}}');
    const r = validateEvent(with_({ attributes }));
    expect(errorsOf(r)).toHaveLength(1);
    expect(errorsOf(r)[0]!.pointer).toBe("/attributes/__proto__");
    expect(errorsOf(r)[0]!.detail).toMatch(/not allowed/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // At the top level and nested, too.
    const top: unknown = JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(valid()).slice(1)}`);
    expect(pointers(validateEvent(top))).toEqual(["/__proto__"]);
    const nested: unknown = JSON.parse('{"a":[{"constructor":{"prototype":{"x":1}}}],"prototype":1}');
    expect(pointers(validateEvent(with_({ attributes: nested })))).toEqual([
      "/attributes/a/0/constructor",
      "/attributes/prototype",
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("lone surrogates are rejected in attribute keys and values, paired ones accepted", () => {
    const attributes: unknown = JSON.parse(
      '{"\\ud800":1,"ok":"\\udfff","list":["a","\\ud83d"],"emoji":"\\ud83d\\ude00"}',
    );
    expect(errorsOf(validateEvent(with_({ attributes })))).toEqual([
      { pointer: "/attributes/\ud800", detail: expect.stringMatching(/^key must not contain lone surrogates/) },
      { pointer: "/attributes/ok", detail: "must not contain lone surrogates (invalid Unicode)" },
      { pointer: "/attributes/list/1", detail: "must not contain lone surrogates (invalid Unicode)" },
    ]);
    expect(validateEvent(with_({ attributes: { "\u{1F600}": "\u{1F600}" } })).ok).toBe(true);
  });

  it("values may hold tab/LF/CR but no other controls; keys may hold none", () => {
    expect(validateEvent(with_({ attributes: { trace: "line1\n\tline2\r\n" } })).ok).toBe(true);
    expect(pointers(validateEvent(with_({ attributes: { v: "a\u0000", w: "\u0085" } })))).toEqual([
      "/attributes/v",
      "/attributes/w",
    ]);
    expect(pointers(validateEvent(with_({ attributes: { "a\nb": 1, "c\u202ed": 2 } })))).toEqual([
      "/attributes/a\nb",
      "/attributes/c\u202ed",
    ]);
  });

  it("numbers must be finite and integers within ±(2^53−1)", () => {
    const ok = { a: 9007199254740991, b: -9007199254740991, c: 0.25, d: -0, e: 1e-7 };
    expect(validateEvent(with_({ attributes: ok })).ok).toBe(true);
    expect(
      pointers(validateEvent(with_({ attributes: { a: 9007199254740992, b: -1e300, c: NaN, d: Infinity } }))),
    ).toEqual(["/attributes/a", "/attributes/b", "/attributes/c", "/attributes/d"]);
  });

  it("non-JSON values are rejected", () => {
    const attributes = { u: undefined, f: () => 1, d: new Date(0), b: 1n, s: Symbol("s") };
    expect(pointers(validateEvent(with_({ attributes })))).toEqual([
      "/attributes/u",
      "/attributes/f",
      "/attributes/d",
      "/attributes/b",
      "/attributes/s",
    ]);
  });

  it("cyclic structures end in a depth error", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(pointers(validateEvent(with_({ attributes: a })))).toEqual(["/attributes/self/self/self/self/self"]);
  });
});

describe("validateEvent: property — random mutations never throw", () => {
  const SAMPLES: unknown[] = [
    null,
    true,
    0,
    -1,
    9007199254740993,
    1.5,
    NaN,
    "",
    " ",
    "x",
    "\ud800",
    "\u202e",
    "\u0000",
    "2024-02-29T00:00:00+14:00",
    "9999-12-31T23:59:59-23:59",
    "1970-01-01T00:00:00Z",
    "::1",
    "read",
    "success",
    "user",
    "__proto__",
    "x".repeat(2000),
    [],
    {},
    [[[[[[[[]]]]]]]],
    { __proto__: null, a: 1 },
    JSON.parse('{"__proto__":1}'),
  ];
  // Every member the schema knows, the nested ones' names, and two it must refuse.
  const KEYS = [...TOP_LEVEL_FIELDS, "type", "ip", "service", "__proto__", "x"];

  function pick<T>(rnd: () => number, xs: readonly T[]): T {
    return xs[Math.floor(rnd() * xs.length)]!;
  }

  function mutate(rnd: () => number, v: unknown, depth: number): unknown {
    if (depth > 4 || rnd() < 0.15) return pick(rnd, SAMPLES);
    if (Array.isArray(v)) return v.map((x) => (rnd() < 0.3 ? mutate(rnd, x, depth + 1) : x));
    if (typeof v === "object" && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const r = rnd();
        if (r < 0.1) continue; // drop
        const value = r < 0.4 ? mutate(rnd, x, depth + 1) : x;
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      }
      if (rnd() < 0.1) {
        Object.defineProperty(out, pick(rnd, KEYS), {
          value: pick(rnd, SAMPLES),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (typeof v === "string") {
      const r = rnd();
      const pos = Math.floor(rnd() * (v.length + 1));
      if (r < 0.3) return v.slice(0, pos) + String.fromCharCode(Math.floor(rnd() * 0x10000)) + v.slice(pos);
      if (r < 0.5) return v.slice(0, pos);
      if (r < 0.6) return v.repeat(1 + Math.floor(rnd() * 300));
      return pick(rnd, SAMPLES);
    }
    return pick(rnd, SAMPLES);
  }

  it("returns ok (schema-conformant, canonicalizable) or a non-empty error list for 5000 mutants", () => {
    const rnd = seededRandom(0x1ed9e71);
    let okCount = 0;
    for (let n = 0; n < 5000; n++) {
      const input = mutate(rnd, valid(), 0);
      const tp = rnd() < 0.5 ? TRACEPARENT : pick(rnd, [null, "garbage", undefined]);
      let r: ValidateEventResult;
      try {
        r = validateEvent(input, { traceparent: tp, now: new Date("2024-06-01T00:00:00Z") });
      } catch (e) {
        throw new Error(`threw on mutant #${n}: ${String(e)} — ${JSON.stringify(input)}`);
      }
      if (r.ok) {
        okCount++;
        expect(normalizedEventSchema.safeParse(r.event).success).toBe(true);
        expect(() => canonicalJson(r.event)).not.toThrow();
        // Idempotent: a normalized event validates to itself.
        const again = validateEvent(JSON.parse(JSON.stringify(r.event)));
        expect(again).toEqual({ ok: true, event: r.event });
      } else {
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(typeof e.pointer).toBe("string");
          expect(e.pointer === "" || e.pointer.startsWith("/")).toBe(true);
          expect(e.detail.length).toBeGreaterThan(0);
        }
      }
    }
    // The mutation rate must leave both outcomes well represented, or the loop proves little.
    expect(okCount).toBeGreaterThan(200);
    expect(okCount).toBeLessThan(4800);
  });
});
