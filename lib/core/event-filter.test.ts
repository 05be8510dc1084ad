import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import {
  foldAscii,
  matchesFilter,
  matchesPattern,
  normalizeFilter,
  parsePattern,
  type FilterableEntry,
} from "./event-filter.ts";

const entry: FilterableEntry = {
  seq: 5,
  timestamp: "2026-11-27T12:00:00.000Z",
  eventType: "write",
  outcome: "denied",
  source: "spiffe://acme/gateway",
  requester: { id: "spiffe://acme/shop/web", type: "service" },
  target: { id: "db://payments-pg/cards" },
  reason: "Policy DENY",
  attributes: { zone: "Zürich" },
};

describe("event filter patterns", () => {
  it("parses exact, prefix and negated forms", () => {
    expect(parsePattern("a*")).toEqual({ negate: false, prefix: true, value: "a" });
    expect(parsePattern("!a")).toEqual({ negate: true, prefix: false, value: "a" });
    expect(parsePattern("!a*b")).toEqual({ negate: true, prefix: false, value: "a*b" });
  });
  it("treats an absent value as matching only negations", () => {
    expect(matchesPattern("payments", undefined)).toBe(false);
    expect(matchesPattern("!payments", undefined)).toBe(true);
    expect(matchesPattern("!pay*", "payments")).toBe(false);
    expect(matchesPattern("pay*", "payments")).toBe(true);
    expect(matchesPattern("pay", "payments")).toBe(false);
  });
});

describe("matchesFilter", () => {
  const m = (f: Parameters<typeof matchesFilter>[1]) => matchesFilter(entry, f, canonicalJson);
  it("answers 'denied writes to payments by non-payments requesters'", () => {
    expect(
      m({
        outcome: ["denied"],
        eventType: ["write"],
        target: "db://payments-pg/*",
        requester: "!spiffe://acme/payments/*",
      }),
    ).toBe(true);
    expect(m({ outcome: ["denied"], requester: "spiffe://acme/payments/*" })).toBe(false);
  });
  it("bounds time with from inclusive and to exclusive, seq inclusive", () => {
    expect(m({ from: "2026-11-27T12:00:00.000Z" })).toBe(true);
    expect(m({ to: "2026-11-27T12:00:00.000Z" })).toBe(false);
    expect(m({ seqFrom: 5, seqTo: 5 })).toBe(true);
    expect(m({ seqFrom: 6 })).toBe(false);
  });
  it("folds only ASCII letters in free text, over reason and canonical attributes", () => {
    expect(m({ q: "deny" })).toBe(true);
    expect(m({ q: "zürich" })).toBe(true);
    expect(m({ q: "ZÜRICH" })).toBe(false);
    expect(m({ q: '"zone":"z' })).toBe(true);
    expect(foldAscii("ÄBC")).toBe("Äbc");
  });
  it("defaults requester.type to service and treats empty lists as no condition", () => {
    expect(m({ requesterType: ["service"], eventType: [] })).toBe(true);
  });
});

describe("hideOwnActivity", () => {
  const base = { seq: 1, timestamp: "2026-11-27T10:00:00.000Z", eventType: "read", outcome: "success" };
  const entry = (source: string) => ({ ...base, source, requester: { id: "a" }, target: { id: "b" } });
  it("leaves out exactly the ledgerline: sources, and nothing when false or absent", () => {
    const jcs = (a: unknown) => JSON.stringify(a);
    expect(matchesFilter(entry("ledgerline:dashboard"), { hideOwnActivity: true }, jcs)).toBe(false);
    expect(matchesFilter(entry("ledgerline:cli"), { hideOwnActivity: true }, jcs)).toBe(false);
    expect(matchesFilter(entry("ledgerline"), { hideOwnActivity: true }, jcs)).toBe(true);
    expect(matchesFilter(entry("spiffe://ledgerline:x"), { hideOwnActivity: true }, jcs)).toBe(true);
    expect(matchesFilter(entry("ledgerline:cli"), { hideOwnActivity: false }, jcs)).toBe(true);
    expect(matchesFilter(entry("ledgerline:cli"), {}, jcs)).toBe(true);
    expect(normalizeFilter({ hideOwnActivity: false, q: "x" })).toEqual({ q: "x" });
    expect(Object.keys(normalizeFilter({ hideOwnActivity: true, from: "a" }))).toEqual(["from", "hideOwnActivity"]);
  });
});

describe("normalizeFilter", () => {
  it("drops empty members, sorts and dedupes lists, fixes key order", () => {
    const n = normalizeFilter({ q: "", outcome: ["failure", "denied", "failure"], requester: "a", eventType: [] });
    expect(n).toEqual({ outcome: ["denied", "failure"], requester: "a" });
    expect(Object.keys(normalizeFilter({ to: "b", from: "a" }))).toEqual(["from", "to"]);
  });
});
