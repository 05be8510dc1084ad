import { afterEach, describe, expect, it } from "vitest";
import { EVENT_TYPES, validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";
import type { Principal } from "../auth/principal.ts";
import { summarizeEvents } from "./search.ts";

// Facet counts (issue 15 item 6) on both stores: each facet counts the filter
// without its own constraint, and keeps every other one (service, time).

const auditor: Principal = {
  kind: "user",
  userId: "u",
  email: "aud@test",
  name: null,
  role: "auditor",
  via: "session",
};

// [outcome, eventType, service] × count
const MIX: Array<[string, string, string, number]> = [
  ["denied", "read", "payments", 3],
  ["denied", "write", "payments", 2],
  ["success", "read", "payments", 5],
  ["failure", "delete", "payments", 1],
  ["denied", "read", "search", 7], // another service: never counted
];

describe.each(DIALECTS)("facet counts on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("count each facet without its own constraint", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    const events = MIX.flatMap(([outcome, eventType, service, n]) =>
      Array.from({ length: n }, () => {
        const v = validateEvent(
          event({
            outcome,
            eventType,
            target: { id: `db://${service}`, service },
            ...(outcome !== "success" ? { reason: "r" } : {}),
          }),
        );
        if (!v.ok) throw new Error(JSON.stringify(v.errors));
        return v.event;
      }),
    );
    await rt.sequencer.append("spiffe://facets/src", events);
    const base = { service: "payments", from: "2026-01-01T00:00:00.000Z", to: "2027-01-01T00:00:00.000Z" };

    const none = await summarizeEvents(rt, auditor, base);
    expect(none.facets.outcome).toEqual({ success: 5, failure: 1, denied: 5 });
    expect(none.facets.eventType).toMatchObject({ read: 8, write: 2, delete: 1, modify: 0 });

    const both = await summarizeEvents(rt, auditor, { ...base, outcome: ["denied"], eventType: ["read"] });
    expect(both.histogram.total).toBe(3);
    // Outcome counts: type=read kept, outcome dropped. Type counts: outcome=denied kept, type dropped.
    expect(both.facets.outcome).toEqual({ success: 5, failure: 0, denied: 3 });
    expect(both.facets.eventType).toMatchObject({ read: 3, write: 2, delete: 0 });

    // Bounded by the time range like everything else.
    const outside = await summarizeEvents(rt, auditor, { ...base, to: "2026-01-02T00:00:00.000Z" });
    expect(outside.facets.outcome).toEqual({ success: 0, failure: 0, denied: 0 });
  });

  it("the type facet of a time (and outcome) filter reads the rollup and agrees with the entries, own activity hidden or not", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    const TYPES = ["read", "write", "delete", "modify"] as const;
    const OUT = ["success", "denied", "failure"] as const;
    const start = Date.UTC(2026, 5, 1, 9, 0, 0);
    // 300 entries, one every 97 s (about 8 hours, so many full 10-minute buckets and ragged ends).
    const made = Array.from({ length: 300 }, (_, i) => ({
      ts: start + i * 97_000,
      eventType: TYPES[i % 4]!,
      outcome: OUT[i % 3]!,
    }));
    const prepared = made.map((m) => {
      const v = validateEvent(
        event({
          timestamp: new Date(m.ts).toISOString(),
          eventType: m.eventType,
          outcome: m.outcome,
          ...(m.outcome !== "success" ? { reason: "r" } : {}),
        }),
      );
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return v.event;
    });
    // Four fifths from a service, one fifth as the meta-audit (a ledgerline: source).
    await rt.sequencer.append(
      "spiffe://facets/src",
      prepared.filter((_, i) => i % 5 !== 4),
    );
    await rt.sequencer.append(
      "ledgerline:dashboard",
      prepared.filter((_, i) => i % 5 === 4),
    );

    const from = new Date(start + 37 * 60_000 + 17_000).toISOString(); // mid-bucket
    const to = new Date(start + 6 * 3_600_000 + 4 * 60_000).toISOString(); // mid-bucket
    const expected = (keep: (m: (typeof made)[number], i: number) => boolean) =>
      Object.fromEntries(
        EVENT_TYPES.map((ty) => [
          ty,
          made.filter((m, i) => m.eventType === ty && m.ts >= Date.parse(from) && m.ts < Date.parse(to) && keep(m, i))
            .length,
        ]),
      );
    const shown = await summarizeEvents(rt, auditor, { from, to });
    expect(shown.facets.eventType).toEqual(expected(() => true));
    const hidden = await summarizeEvents(rt, auditor, { from, to, hideOwnActivity: true });
    expect(hidden.facets.eventType).toEqual(expected((_, i) => i % 5 !== 4));
    const denied = await summarizeEvents(rt, auditor, { from, to, hideOwnActivity: true, outcome: ["denied"] });
    expect(denied.facets.eventType).toEqual(expected((m, i) => i % 5 !== 4 && m.outcome === "denied"));
    // The rollup holds exactly what the entries hold.
    const rollup = await rt.db.get<{ n: number | string }>("SELECT SUM(n) AS n FROM type_counts");
    expect(Number(rollup?.n)).toBe(300);
    // And the facet reads it: a bucket in the middle of the range, changed by hand, shows.
    const mid = new Date(start + 3 * 3_600_000).toISOString().slice(0, 15);
    const rows = await rt.db.get<{ k: number | string }>(
      "SELECT COUNT(*) AS k FROM type_counts WHERE bucket = ? AND event_type = 'read'",
      [mid],
    );
    expect(Number(rows?.k)).toBeGreaterThan(0);
    await rt.db.run("UPDATE type_counts SET n = n + 1000 WHERE bucket = ? AND event_type = 'read'", [mid]);
    const skewed = await summarizeEvents(rt, auditor, { from, to });
    expect(skewed.facets.eventType.read).toBe(expected(() => true).read! + 1000 * Number(rows?.k));
  });
});
