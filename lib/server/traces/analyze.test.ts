import { describe, expect, it } from "vitest";
import { analyzeTrace, checkClocks, gapThreshold, laneLabel, type TraceFact } from "./analyze.ts";
import { checkCorrelationId, correlationIdFromQuery } from "@/lib/schemas/correlation-id.ts";

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0, 0);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

let seq = 0;
function fact(atMs: number, over: Partial<TraceFact> = {}): TraceFact {
  seq++;
  return {
    seq,
    ts: iso(atMs),
    receivedAt: iso(atMs + 5),
    requesterId: "spiffe://t.example/ns/edge/sa/gateway",
    requesterType: "service",
    targetId: "https://orders/v1",
    targetService: "orders",
    outcome: "success",
    action: "GET /v1",
    ...over,
  };
}

describe("laneLabel", () => {
  it("drops a SPIFFE trust domain and shortens long ids in the middle", () => {
    expect(laneLabel("spiffe://demo.ledgerline.dev/ns/shop/sa/orders")).toBe("ns/shop/sa/orders");
    expect(laneLabel("payments")).toBe("payments");
    const long = `db://${"x".repeat(80)}/tail-of-it`;
    const l = laneLabel(long);
    expect(l.length).toBe(45);
    expect(l.endsWith("/tail-of-it")).toBe(true);
  });
});

describe("gapThreshold", () => {
  it("is a share of the duration, floored at minMs and capped at hardMs", () => {
    expect(gapThreshold(0)).toBe(1_000);
    expect(gapThreshold(8_000)).toBe(2_000);
    expect(gapThreshold(3_600_000)).toBe(30_000);
    expect(gapThreshold(10_000, { minMs: 100, share: 0.5, hardMs: 1_000_000 })).toBe(5_000);
  });
});

describe("analyzeTrace", () => {
  it("is empty for no entries", () => {
    const a = analyzeTrace([]);
    expect(a).toMatchObject({ start: null, end: null, durationMs: 0, lanes: [], gaps: [], buckets: null });
    expect(a.graph).toEqual({ nodes: [], edges: [] });
    expect(a.clock.total).toBe(0);
  });

  it("builds lanes in order of first appearance with roles and counts, and a graph with outcome counts", () => {
    const gw = "spiffe://t.example/ns/edge/sa/gateway";
    const orders = "spiffe://t.example/ns/shop/sa/orders";
    const facts = [
      fact(0, { requesterId: gw, targetService: "orders" }),
      fact(20, { requesterId: orders, targetService: "payments", outcome: "denied", action: "POST /charge" }),
      fact(40, { requesterId: orders, targetService: "payments", outcome: "failure", action: "POST /charge" }),
      fact(60, { requesterId: orders, targetService: null, targetId: "queue://comms/x", requesterType: "workload" }),
      fact(80, { requesterId: gw, targetService: "orders" }),
    ];
    const a = analyzeTrace(facts);
    expect(a.lanes.map((l) => [l.id, l.role])).toEqual([
      [gw, "requester"],
      ["orders", "target"],
      [orders, "requester"],
      ["payments", "target"],
      ["queue://comms/x", "target"],
    ]);
    const o = a.lanes.find((l) => l.id === orders)!;
    expect(o.sent).toEqual({ success: 1, failure: 1, denied: 1 });
    expect(o.requesterType).toBe("service");
    expect([o.firstMs, o.lastMs]).toEqual([20, 60]);
    expect(a.lanes.find((l) => l.id === "payments")!.received).toEqual({ success: 0, failure: 1, denied: 1 });
    expect(a.graph.edges).toEqual([
      { from: gw, to: "orders", count: 2, success: 2, failure: 0, denied: 0, actions: ["GET /v1"] },
      { from: orders, to: "payments", count: 2, success: 0, failure: 1, denied: 1, actions: ["POST /charge"] },
      { from: orders, to: "queue://comms/x", count: 1, success: 1, failure: 0, denied: 0, actions: ["GET /v1"] },
    ]);
    expect(a.graph.nodes).toHaveLength(5);
    expect(a.durationMs).toBe(80);
    expect(a.gaps).toEqual([]);
  });

  it("a service that both calls and is called is one node with role both", () => {
    const a = analyzeTrace([
      fact(0, { requesterId: "orders", targetService: "payments" }),
      fact(1, { requesterId: "gateway", targetService: "orders" }),
    ]);
    expect(a.lanes.find((l) => l.id === "orders")!.role).toBe("both");
    expect(a.graph.nodes.map((n) => n.id)).toEqual(["orders", "payments", "gateway"]);
  });

  it("marks silences at or above the threshold between consecutive hops", () => {
    // Duration 20 s → threshold max(1 s, min(30 s, 5 s)) = 5 s.
    const facts = [fact(0), fact(100), fact(200), fact(12_200), fact(12_300), fact(20_000)];
    const a = analyzeTrace(facts);
    expect(a.gapThresholdMs).toBe(5_000);
    expect(a.gaps).toEqual([
      { afterSeq: facts[2]!.seq, beforeSeq: facts[3]!.seq, startMs: 200, endMs: 12_200, ms: 12_000 },
      { afterSeq: facts[4]!.seq, beforeSeq: facts[5]!.seq, startMs: 12_300, endMs: 20_000, ms: 7_700 },
    ]);
  });

  it("aggregates requester marks into time buckets above the threshold", () => {
    const facts = Array.from({ length: 50 }, (_, i) => fact(i * 10, { outcome: i % 10 === 0 ? "denied" : "success" }));
    expect(analyzeTrace(facts).buckets).toBeNull();
    const a = analyzeTrace(facts, { aggregateAbove: 10, buckets: 5 });
    expect(a.buckets!.count).toBe(5);
    expect(a.buckets!.bucketMs).toBe(Math.ceil(491 / 5));
    const [gw, orders] = a.buckets!.lanes;
    expect(gw!.lane).toBe("spiffe://t.example/ns/edge/sa/gateway");
    expect(gw!.received).toEqual([]);
    const sum = gw!.sent.reduce((s, b) => s + b.success + b.denied + b.failure, 0);
    expect(sum).toBe(50);
    expect(gw!.sent.reduce((s, b) => s + b.denied, 0)).toBe(5);
    expect(gw!.sent.map((b) => b.i)).toEqual([0, 1, 2, 3, 4]);
    expect(orders).toMatchObject({ lane: "orders", sent: [] });
    expect(orders!.received.reduce((s, b) => s + b.success + b.denied + b.failure, 0)).toBe(50);
  });
});

describe("checkClocks", () => {
  it("finds nothing when claims follow receipt within the tolerance", () => {
    // Received out of claimed order by 900 ms only: under the 1 s tolerance.
    const a = fact(1_000, { receivedAt: iso(2_000) });
    const b = fact(100, { receivedAt: iso(2_001) });
    expect(checkClocks([b, a]).findings).toEqual([]);
  });

  it("pairs an entry received later but claiming an earlier time with the worst earlier claim", () => {
    const a = fact(0, { receivedAt: iso(10) });
    const b = fact(5_000, { receivedAt: iso(5_010) });
    const c = fact(-60_000, { receivedAt: iso(5_020), requesterId: "skewed" }); // claims a minute before a
    const r = checkClocks([c, a, b]);
    expect(r.total).toBe(1);
    expect(r.findings[0]).toMatchObject({
      kind: "order",
      earlier: { seq: b.seq },
      later: { seq: c.seq, lane: "skewed" },
      skewMs: 65_000,
    });
    expect(r.seqs).toEqual([b.seq, c.seq].sort((x, y) => x - y));
  });

  it("uses seq to order entries received in the same millisecond", () => {
    const a = fact(10_000, { receivedAt: iso(20_000) });
    const b = fact(0, { receivedAt: iso(20_000) });
    expect(b.seq).toBeGreaterThan(a.seq);
    const r = checkClocks([b, a]);
    expect(r.findings).toEqual([
      expect.objectContaining({
        kind: "order",
        earlier: expect.objectContaining({ seq: a.seq }),
        later: expect.objectContaining({ seq: b.seq }),
        skewMs: 10_000,
      }),
    ]);
  });

  it("reports a claim after the ledger's own receipt", () => {
    const f = fact(0, { receivedAt: iso(-120_000) });
    const r = checkClocks([f]);
    expect(r.findings).toEqual([
      {
        kind: "future",
        entry: { seq: f.seq, ts: f.ts, receivedAt: f.receivedAt, lane: f.requesterId },
        skewMs: 120_000,
      },
    ]);
  });

  it("caps the listed findings but counts them all", () => {
    const facts = Array.from({ length: 10 }, (_, i) => fact(-i * 5_000, { receivedAt: iso(i) }));
    const r = checkClocks(facts, 1_000, 3);
    expect(r.total).toBe(9);
    expect(r.findings).toHaveLength(3);
    expect(r.truncated).toBe(true);
  });
});

describe("correlation ids", () => {
  it("accepts what ingest could store and refuses the rest", () => {
    expect(checkCorrelationId("corr-1")).toEqual({ ok: true, value: "corr-1" });
    expect(checkCorrelationId("é".repeat(128)).ok).toBe(true);
    expect(checkCorrelationId("x".repeat(129))).toEqual({ ok: false, detail: "must be at most 128 characters" });
    expect(checkCorrelationId("")).toMatchObject({ ok: false });
    expect(checkCorrelationId("a\nb")).toEqual({
      ok: false,
      detail: "must not contain control characters (found U+000A LINE FEED at character 2)",
    });
    expect(checkCorrelationId("a\u0085b")).toMatchObject({ ok: false });
    expect(checkCorrelationId("a\u202eb")).toMatchObject({ ok: false });
    expect(checkCorrelationId("a\ud800b")).toMatchObject({ ok: false });
  });

  it("takes a traceparent's trace-id, and anything else as an id", () => {
    expect(correlationIdFromQuery("  00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ")).toEqual({
      ok: true,
      value: "4bf92f3577b34da6a3ce929d0e0e4736",
      fromTraceparent: true,
    });
    // Uppercase hex is not a valid traceparent: it is looked up as typed.
    expect(correlationIdFromQuery("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")).toEqual({
      ok: true,
      value: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
    });
    expect(correlationIdFromQuery(" req-42 ")).toEqual({ ok: true, value: "req-42" });
    expect(correlationIdFromQuery("   ").ok).toBe(false);
  });
});
