import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { entryParts, joinEntry, joinEvent } from "./entry-parts.ts";

// The parts must give byte for byte what canonicalJson gives for the whole entry,
// for every combination of optional fields and awkward strings.

const base = {
  timestamp: "2026-01-02T03:04:05.678Z",
  eventType: "access",
  outcome: "success",
  requester: { id: "spiffe://a/b", type: "service" },
  target: { id: "db-1" },
};
const optional: Record<string, unknown> = {
  action: 'read \u2028 "quoted" é',
  attributes: { z: 1, a: [1.5, "x", { b: null, A: true }], "e\u0301": -0, é: 1e21 },
  correlationId: "corr-😀",
  reason: "because\n",
};

describe("entryParts", () => {
  const keys = Object.keys(optional);
  for (let mask = 0; mask < 1 << keys.length; mask++) {
    const e: Record<string, unknown> = { ...base };
    keys.forEach((k, i) => {
      if (mask & (1 << i)) e[k] = optional[k];
    });
    if (mask & 1) (e.requester as Record<string, unknown>) = { id: "r", type: "user", ip: "10.0.0.1" };
    if (mask & 2) e.target = { id: "t", service: "svc", type: "table" };
    it(`joins to canonicalJson of the entry and of the event (optional fields ${mask.toString(2).padStart(4, "0")})`, () => {
      const p = entryParts(e as never);
      const entry = { ...e, id: "ev-1", receivedAt: "2026-01-02T03:04:06.000Z", seq: 42, source: "spiffe://s" };
      expect(joinEntry(p, "ev-1", entry.receivedAt, 42, "spiffe://s")).toBe(canonicalJson(entry));
      expect(joinEvent(p, "ev-1")).toBe(canonicalJson({ ...e, id: "ev-1" }));
    });
  }
});
