import { afterEach, describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
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
});
