import { describe, expect, it } from "vitest";
import { DIALECTS, appendEvents, eachFreshLedger, sessionUser as user, testApi } from "@/test/support/stores.ts";
import { GW, ORDERS, at, hop } from "@/test/support/trace-hops.ts";
import type { Principal } from "../auth/principal.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { queryTrace, viewTrace, type Trace } from "./trace.ts";

// The timeline's reads against real stores: one index range per correlation id,
// claimed-time order with seq breaking ties, lanes and graph counts, gaps, and
// clock findings when claims disagree with the order the ledger received them.

describe.each(DIALECTS)("traces on %s", (dialect) => {
  const fresh = eachFreshLedger(dialect);
  const append = (source: string, events: ReturnType<typeof hop>[]) => appendEvents(fresh.ledger, source, events);

  it("orders by claimed time with seq breaking ties, keeps other ids out, and builds lanes and the graph", async () => {
    // Received out of claimed order (the payments source reports first), within the clock tolerance.
    const [pay1, pay2] = await append("spiffe://t/payments", [
      hop("c-1", 40, ORDERS, "payments", { outcome: "denied", reason: "not allowed" }),
      hop("c-1", 40, ORDERS, "payments", { outcome: "failure", reason: "timeout" }),
    ]);
    const [gw1, ord1, other, none, ord2] = await append("spiffe://t/orders", [
      hop("c-1", 0, GW, "orders"),
      hop("c-1", 20, ORDERS, "inventory"),
      hop("c-2", 10, GW, "orders"),
      hop(undefined, 15, GW, "orders"),
      hop("c-1", 40, ORDERS, "payments"),
    ]);
    expect([other, none]).toHaveLength(2);
    const t = await queryTrace(fresh.ledger, "c-1");
    expect(t.entries.map((e) => e.seq)).toEqual([gw1, ord1, pay1, pay2, ord2]);
    expect(t.entries.map((e) => e.relMs)).toEqual([0, 20, 40, 40, 40]);
    expect(t).toMatchObject({
      correlationId: "c-1",
      total: 5,
      returned: 5,
      truncated: false,
      analyzed: 5,
      start: at(0),
      end: at(40),
      durationMs: 40,
    });
    expect(t.entries[2]).toMatchObject({
      lane: ORDERS,
      to: "payments",
      outcome: "denied",
      reason: "not allowed",
      correlationId: "c-1",
    });
    expect(t.entries[0]!.leafHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    expect(t.lanes.map((l) => [l.id, l.role])).toEqual([
      [GW, "requester"],
      ["orders", "target"],
      [ORDERS, "requester"],
      ["inventory", "target"],
      ["payments", "target"],
    ]);
    expect(t.graph.edges).toEqual([
      { from: GW, to: "orders", count: 1, success: 1, failure: 0, denied: 0, actions: ["SELECT cards"] },
      { from: ORDERS, to: "inventory", count: 1, success: 1, failure: 0, denied: 0, actions: ["SELECT cards"] },
      { from: ORDERS, to: "payments", count: 3, success: 1, failure: 1, denied: 1, actions: ["SELECT cards"] },
    ]);
    expect(t.gaps).toEqual([]);
    expect(t.clock.findings).toEqual([]);
  });

  it("marks gaps and reports clocks that disagree with the order of receipt, without reordering", async () => {
    const [a, b, c] = await append("spiffe://t/orders", [
      hop("c-gap", 0, GW, "orders"),
      hop("c-gap", 100, ORDERS, "payments"),
      hop("c-gap", 30_100, ORDERS, "notifications"),
    ]);
    // Received last, claims five minutes before everything else: a skewed clock (or a very late delivery).
    const [skewed] = await append("spiffe://t/late", [
      hop("c-gap", -300_000, "spiffe://t.example/ns/x/sa/skewed", "orders"),
    ]);
    const t = await queryTrace(fresh.ledger, "c-gap");
    expect(t.entries.map((e) => e.seq)).toEqual([skewed, a, b, c]);
    expect(t.durationMs).toBe(330_100);
    // threshold = max(1 s, min(30 s, 25 % of 330.1 s)) = 30 s: the 5 min and the 30 s silences.
    expect(t.gapThresholdMs).toBe(30_000);
    expect(t.gaps).toEqual([
      { afterSeq: skewed, beforeSeq: a, startMs: 0, endMs: 300_000, ms: 300_000 },
      { afterSeq: b, beforeSeq: c, startMs: 300_100, endMs: 330_100, ms: 30_000 },
    ]);
    expect(t.clock.total).toBe(1);
    expect(t.clock.findings[0]).toMatchObject({
      kind: "order",
      earlier: { seq: c },
      later: { seq: skewed },
      skewMs: 330_100,
    });
    expect(t.entries.filter((e) => e.clockFinding).map((e) => e.seq)).toEqual([skewed, c]);
  });

  it("flags an entry claiming a time after the ledger received it", async () => {
    const [seq] = await append("spiffe://t/future", [
      hop("c-future", 0, GW, "orders", { timestamp: new Date(Date.now() + 600_000).toISOString() }),
    ]);
    const t = await queryTrace(fresh.ledger, "c-future");
    expect(t.clock.findings).toEqual([
      expect.objectContaining({ kind: "future", entry: expect.objectContaining({ seq }) }),
    ]);
    expect((t.clock.findings[0] as { skewMs: number }).skewMs).toBeGreaterThan(590_000);
  });

  it("returns an empty trace for an unknown id", async () => {
    await append("spiffe://t/orders", [hop("c-known", 0, GW, "orders")]);
    const t = await queryTrace(fresh.ledger, "c-unknown");
    expect(t).toMatchObject({ total: 0, returned: 0, truncated: false, entries: [], lanes: [], gaps: [], start: null });
    expect(t.graph).toEqual({ nodes: [], edges: [] });
  });

  it("truncates the entries past the limit but still counts and graphs the whole trace", async () => {
    const evs = Array.from({ length: 12 }, (_, i) =>
      hop("c-big", i * 10, i % 2 ? ORDERS : GW, i % 3 ? "orders" : "payments", {
        outcome: i % 4 === 0 ? "denied" : "success",
      }),
    );
    await append("spiffe://t/orders", evs);
    const t = await queryTrace(fresh.ledger, "c-big", { limit: 5, aggregateAbove: 4, buckets: 10 });
    expect(t).toMatchObject({ total: 12, returned: 5, truncated: true, analyzed: 12, durationMs: 110 });
    expect(t.entries.map((e) => e.relMs)).toEqual([0, 10, 20, 30, 40]);
    const counted = t.graph.edges.reduce((s, e) => s + e.count, 0);
    expect(counted).toBe(12);
    expect(t.graph.edges.reduce((s, e) => s + e.denied, 0)).toBe(3);
    const bucketed = t.buckets!.lanes.flatMap((l) => l.sent).reduce((s, b) => s + b.success + b.failure + b.denied, 0);
    expect(bucketed).toBe(12);
  });

  it("viewTrace checks traces:read, refuses impossible ids and records the view; the API answers by role", async () => {
    await append("spiffe://t/orders", [
      hop("c-api", 0, GW, "orders"),
      hop("c-api", 5, ORDERS, "payments", { outcome: "denied", reason: "no" }),
    ]);
    await expect(viewTrace(fresh.ledger, null, "c-api")).rejects.toMatchObject({ code: "unauthorized" });

    let principal: Principal | null = user("analyst");
    const api = testApi(fresh.ledger, async () => principal).traces;
    const get = (id: string) =>
      api.get(new Request(`http://x/api/v1/traces/${encodeURIComponent(id)}`), {
        params: Promise.resolve({ correlationId: id }),
      });

    for (const role of ["analyst", "auditor", "admin"] as const) {
      principal = user(role);
      const res = await get("c-api");
      expect(res.status).toBe(200);
      const body = (await res.json()) as Trace;
      expect(body.entries.map((e) => e.outcome)).toEqual(["success", "denied"]);
      expect(body.graph.edges).toHaveLength(2);
    }
    const audits = await fresh.ledger.db.all<{ requester_id: string; action: string; correlation_id: string | null }>(
      "SELECT requester_id, action, correlation_id FROM entries WHERE target_id = ? ORDER BY seq",
      ["ledgerline:traces/c-api"],
    );
    expect(audits).toEqual(
      ["analyst@test", "auditor@test", "admin@test"].map((r) => ({
        requester_id: r,
        action: "traces.view",
        correlation_id: null,
      })),
    );

    const empty = await get("never-seen");
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ total: 0, entries: [], graph: { nodes: [], edges: [] } });

    for (const bad of ["x".repeat(129), "a\u0000b", "line\nbreak", ""]) {
      const res = await get(bad);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await res.json()).errors[0].parameter).toBe("correlationId");
    }

    principal = null;
    const anon = await get("c-api");
    expect(anon.status).toBe(401);
    // Refused requests are not recorded as views.
    const n = await fresh.ledger.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE action = ?", [
      "traces.view",
    ]);
    expect(Number(n!.n)).toBe(4);
  });

  it("fails closed: no view is answered when it cannot be recorded", async () => {
    await append("spiffe://t/orders", [hop("c-closed", 0, GW, "orders")]);
    const broken = { ...fresh.ledger, sequencer: { append: async () => ({ ok: false }) } } as unknown as Runtime;
    await expect(viewTrace(broken, user("auditor"), "c-closed")).rejects.toThrow(/meta-audit/);
  });
});
