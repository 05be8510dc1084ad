import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { parseIngestBody } from "./parse-body.ts";

// Abuse of the ingest pipeline below HTTP: whatever bytes a client sends, the
// body parser and the validator answer (ok or a list of problems) — they never
// throw, never loop, never let a key reach a prototype — and whatever they
// accept canonicalizes (RFC 8785) without error, as the sequencer will need.
// The HTTP half (a real server answering hostile requests with 4xx, never a
// 500) is in test/stress/abuse.ts.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "polluted",
];
const NOW = new Date("2026-11-27T12:00:00.000Z");
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
  expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain("polluted");
  expect(typeof ({} as { toString: unknown }).toString).toBe("function");
}

afterEach(assertNoPollution);

/** Strings a hostile client likes: lone surrogates, NUL and C0/C1 controls, bidi overrides, BOM, huge runs. */
const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "\ud800",
    "\udfff",
    "a\ud83dz",
    "\u202e",
    "\u2066evil\u2069",
    "\ufeff",
    "\u0085",
    "\u2028",
    "\u001b[31m",
    "=cmd|' /C calc'!A0",
  ),
  fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => `\u202e${s}\u0000`),
  fc.integer({ min: 1, max: 4 }).map((k) => "x".repeat(k * 100_000)),
);

const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ unit: "binary", maxLength: 12 }));

/** JSON-ish values with hostile keys and strings, nested a little. */
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  ),
})).value;

const validBase = {
  timestamp: "2026-11-27T10:15:00.120Z",
  eventType: "read",
  requester: { id: "spiffe://prod/ns/shop/sa/orders" },
  target: { id: "db://payments-pg/cardholder.cards" },
  outcome: "success",
};

/** Mostly-valid events with one or two hostile parts, so the validator's deeper checks run too. */
const hostileEvent = fc
  .record({
    field: fc.constantFrom(
      "id",
      "requester",
      "target",
      "action",
      "reason",
      "correlationId",
      "attributes",
      "timestamp",
      "__proto__",
      "constructor",
      "outcome",
    ),
    value: hostileValue,
    attrs: fc.option(fc.dictionary(key, hostileValue, { maxKeys: 6 }), { nil: undefined }),
  })
  .map(({ field, value, attrs }) => {
    const text = JSON.stringify(validBase);
    // Built as text, so `__proto__` becomes an own key (as JSON.parse would make it), not a prototype.
    const extra = [`${JSON.stringify(field)}:${safeJson(value)}`];
    if (attrs !== undefined) extra.push(`"attributes":${safeJson(attrs)}`);
    return `${text.slice(0, -1)},${extra.join(",")}}`;
  });

/** JSON text of a value whose own keys may include `__proto__` (JSON.stringify keeps them: they are own properties). */
function safeJson(v: unknown): string {
  return JSON.stringify(v) ?? "null";
}

const deepText = fc.integer({ min: 1, max: 200_000 }).chain((depth) =>
  fc.constantFrom("[", '{"a":', '[{"__proto__":').map((open) => {
    const close = open === "[" ? "]" : open === '{"a":' ? "}" : "}]";
    return open.repeat(depth) + "1" + close.repeat(depth);
  }),
);

const duplicateKeys = fc
  .tuple(fc.constantFrom(...HOSTILE_KEYS, "timestamp", "outcome", "id"), hostileValue, hostileValue)
  .map(([k, a, b]) => `{${JSON.stringify(k)}:${safeJson(a)},"x":1,${JSON.stringify(k)}:${safeJson(b)}}`);

const hugeArray = fc
  .integer({ min: 1001, max: 20_000 })
  .map((n) => `[${new Array(n).fill(JSON.stringify(validBase)).join(",")}]`);

const body = fc.oneof(
  hostileEvent,
  hostileEvent.map((e) => `[${e},${e}]`),
  hostileEvent.map((e) => `${e}\n${e}\n`),
  deepText,
  duplicateKeys,
  hugeArray,
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

const contentType = fc.constantFrom(
  null,
  "",
  "application/json",
  "application/x-ndjson",
  "application/json; charset=utf-16",
  "text/plain",
  "application/json\u0000",
);

/** What the ingest route does with a body, minus HTTP and the store. */
function pipeline(text: string, ct: string | null): "rejected" | "invalid" | "accepted" {
  const parsed = parseIngestBody(text, ct, { maxItems: 1000 });
  if (!parsed.ok) {
    expect([400, 415]).toContain(parsed.status);
    expect(typeof parsed.detail).toBe("string");
    return "rejected";
  }
  expect(parsed.items.length).toBeGreaterThan(0);
  expect(parsed.items.length).toBeLessThanOrEqual(1000);
  let allOk = true;
  for (const item of parsed.items) {
    const r = validateEvent(item, { traceparent: null, now: NOW });
    if (!r.ok) {
      allOk = false;
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) expect(typeof e.pointer).toBe("string");
      continue;
    }
    // What is accepted must hash: canonical JSON of the whole entry, and stable.
    const entry = { ...r.event, id: r.event.id ?? "srv-1", seq: 1, receivedAt: NOW.toISOString(), source: "s" };
    const c = canonicalJson(entry);
    expect(canonicalJson(JSON.parse(c))).toBe(c);
    // No accepted value smuggles a lone surrogate or a NUL into an identifier.
    expect(/[\u0000]/.test(entry.requester.id + entry.target.id + entry.id)).toBe(false);
  }
  return allOk ? "accepted" : "invalid";
}

describe("ingest body parser + validator under abuse (fast-check)", () => {
  it("answers every hostile body without throwing, and what it accepts canonicalizes", () => {
    fc.assert(
      fc.property(body, contentType, (text, ct) => {
        expect(() => pipeline(text, ct)).not.toThrow();
        assertNoPollution();
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it("refuses nesting deeper than 64 without recursing (200 000 levels)", () => {
    for (const open of ["[", '{"a":']) {
      const close = open === "[" ? "]" : "}";
      const text = open.repeat(200_000) + "1" + close.repeat(200_000);
      const r = parseIngestBody(text, "application/json");
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.title).toBe("Nesting too deep");
    }
  });

  it("refuses duplicate keys, hostile ones included, anywhere in the body", () => {
    fc.assert(
      fc.property(duplicateKeys, (text) => {
        const r = parseIngestBody(text, "application/json");
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.title).toBe("Duplicate keys");
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
  });

  it("refuses more than maxItems events in one request", () => {
    fc.assert(
      fc.property(hugeArray, (text) => {
        const r = parseIngestBody(text, "application/json", { maxItems: 1000 });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.title).toBe("Too many items");
      }),
      { numRuns: 5 },
    );
  });

  it("refuses __proto__ / constructor / prototype attribute keys at any depth, naming them", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("__proto__", "constructor", "prototype"),
        fc.dictionary(fc.constantFrom("polluted", "isAdmin", "x"), fc.integer(), { minKeys: 1, maxKeys: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (k, inner, depth) => {
          // Built as text, so the key is an own member (as JSON.parse makes it), at depth 1..4.
          const nested = `{${JSON.stringify(k)}:${JSON.stringify(inner)}}`;
          const attrs = '{"a":'.repeat(depth) + nested + "}".repeat(depth);
          const text = `${JSON.stringify(validBase).slice(0, -1)},"attributes":${attrs}}`;
          const parsed = parseIngestBody(text, "application/json");
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          const r = validateEvent(parsed.items[0], { now: NOW });
          expect(r.ok).toBe(false);
          if (!r.ok)
            expect(r.errors.some((e) => e.pointer.startsWith("/attributes") && e.detail.includes(k))).toBe(true);
        },
      ),
      { numRuns: Math.min(RUNS, 100) },
    );
  });

  it("refuses a top-level __proto__ / constructor key as an unknown field", () => {
    for (const k of ["__proto__", "constructor", "prototype"]) {
      const text = `${JSON.stringify(validBase).slice(0, -1)},${JSON.stringify(k)}:{"polluted":true}}`;
      const parsed = parseIngestBody(text, "application/json");
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      const r = validateEvent(parsed.items[0], { now: NOW });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.map((e) => e.pointer)).toContain(`/${k}`);
    }
  });

  it("rejects lone surrogates, NUL and bidi overrides in identifiers", () => {
    for (const bad of ["a\ud800", "\udfffb", "a\u0000b", "\u202eevil", "a\u2066b\u2069"]) {
      for (const where of ["requester", "target"] as const) {
        const ev = { ...validBase, [where]: { id: bad } };
        const r = validateEvent(JSON.parse(JSON.stringify(ev)), { now: NOW });
        expect(r.ok, `${where}.id = ${JSON.stringify(bad)}`).toBe(false);
      }
      const r = validateEvent({ ...validBase, id: bad }, { now: NOW });
      expect(r.ok, `id = ${JSON.stringify(bad)}`).toBe(false);
    }
  });
});
