import { describe, expect, it } from "vitest";
import {
  filterFromSearchParams,
  filterToSearchParams,
  pageRequestFromSearchParams,
  parseEventFilter,
} from "./event-filter.ts";

describe("explorer filter parsing", () => {
  it("normalizes timestamps and lists from query parameters", () => {
    const r = filterFromSearchParams(
      new URLSearchParams(
        "from=2026-11-01T02:00:00%2B02:00&outcome=denied,failure&outcome=denied&requester=spiffe://a/*",
      ),
    );
    expect(r).toEqual({
      ok: true,
      value: { from: "2026-11-01T00:00:00.000Z", outcome: ["denied", "failure"], requester: "spiffe://a/*" },
    });
  });
  it("round-trips through the URL form", () => {
    const f = { from: "2026-11-01T00:00:00.000Z", eventType: ["read", "write"], q: "a b&c", seqFrom: 3 };
    const back = filterFromSearchParams(new URLSearchParams(filterToSearchParams(f).toString()));
    expect(back).toEqual({ ok: true, value: f });
  });
  it("names every bad parameter", () => {
    const r = pageRequestFromSearchParams(
      new URLSearchParams("seqFrom=0&eventType=read,nope&limit=0&sort=x&to=yesterday&zzz=1&requester=!*"),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.param).sort()).toEqual([
      "eventType",
      "limit",
      "requester",
      "seqFrom",
      "sort",
      "to",
      "zzz",
    ]);
  });
  it("rejects inverted ranges, repeated scalars, control characters and unknown JSON keys", () => {
    expect(parseEventFilter({ seqFrom: 9, seqTo: 2 }).ok).toBe(false);
    expect(parseEventFilter({ from: "2026-11-02T00:00:00Z", to: "2026-11-01T00:00:00Z" }).ok).toBe(false);
    expect(filterFromSearchParams(new URLSearchParams("target=a&target=b")).ok).toBe(false);
    expect(parseEventFilter({ requester: "a\u0000" }).ok).toBe(false);
    expect(parseEventFilter({ requestor: "a" }).ok).toBe(false);
    expect(parseEventFilter({ q: "x".repeat(257) }).ok).toBe(false);
  });
  it("accepts extra UI parameters only when allowed", () => {
    expect(pageRequestFromSearchParams(new URLSearchParams("range=24h")).ok).toBe(false);
    expect(pageRequestFromSearchParams(new URLSearchParams("range=24h"), { allow: ["range"] }).ok).toBe(true);
  });
});

describe("filter text the audit trail can record", () => {
  it.each(["a\u0005b", "tab\there", "line\nbreak", "lone\uD800", "del\u007F"])(
    "refuses %j in q, correlationId and patterns",
    (bad) => {
      expect(parseEventFilter({ q: bad }).ok).toBe(false);
      expect(parseEventFilter({ correlationId: bad }).ok).toBe(false);
      expect(parseEventFilter({ requester: `${bad}*` }).ok).toBe(false);
    },
  );
  it.each(["\u202Eevil", "pay\u200bments", "\ufeffx"])(
    "refuses %j in identifiers, searches for it as free text",
    (s) => {
      // The free-text search looks in reason and attribute values, which keep format characters.
      expect(parseEventFilter({ q: s }).ok).toBe(true);
      expect(parseEventFilter({ correlationId: s }).ok).toBe(false);
      expect(parseEventFilter({ requester: `${s}*` }).ok).toBe(false);
    },
  );
});

describe("filter error messages", () => {
  it("say what is expected, per field, in words", () => {
    const r = filterFromSearchParams(new URLSearchParams("seqFrom=abc&outcome=maybe"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { param: "outcome", detail: "must be one of success, failure, denied" },
      { param: "seqFrom", detail: "must be a whole number" },
    ]);
    const j = parseEventFilter({ bogus: 1, outcome: "denied" });
    expect(j.ok).toBe(false);
    if (j.ok) return;
    expect(j.errors).toContainEqual({ param: "bogus", detail: "is not a known filter field" });
    expect(j.errors).toContainEqual({ param: "outcome", detail: "must be a list" });
  });
});

describe("lengths count code points, as ingest does", () => {
  it("accepts a 128-emoji correlation id and a 512-emoji requester prefix, refuses one more", () => {
    expect(parseEventFilter({ correlationId: "😀".repeat(128) }).ok).toBe(true);
    expect(parseEventFilter({ correlationId: "😀".repeat(129) }).ok).toBe(false);
    expect(parseEventFilter({ requester: `!${"😀".repeat(512)}*` }).ok).toBe(true);
    expect(parseEventFilter({ requester: `!${"😀".repeat(513)}*` }).ok).toBe(false);
  });
});
