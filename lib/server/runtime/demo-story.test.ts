import { describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DEMO_STORIES, demoStoryEvents } from "./demo-story.ts";

// The demo's stories hold what they promise on /trace: 10–30 hops over the six
// demo services, a fan-out, retries, a slow hop and a denial cascade, and every
// event is one ingest would accept.

const NOW = Date.UTC(2026, 11, 4, 15, 0, 0);
const rand = () => {
  let x = 7;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
};

describe("demo stories", () => {
  const events = [...demoStoryEvents(NOW, rand(), 2).values()].flat();
  const byTrace = new Map<string, typeof events>();
  for (const e of events) byTrace.set(e.correlationId!, [...(byTrace.get(e.correlationId!) ?? []), e]);

  it("tells each story under its fixed id and retells it under others, with valid events", () => {
    expect(byTrace.size).toBe(DEMO_STORIES.length * 3);
    for (const s of DEMO_STORIES) expect(byTrace.get(s.id)).toHaveLength(s.hops.length);
    for (const e of events) expect(validateEvent(JSON.parse(JSON.stringify(e))).ok).toBe(true);
  });

  it("spans 10–30 hops over the six services, with a fan-out, retries, a slow hop and a denial cascade", () => {
    const services = new Set(events.map((e) => e.target.service));
    expect([...services].sort()).toEqual(["fraud-check", "inventory", "notifications", "orders", "payments", "users"]);
    for (const s of DEMO_STORIES) {
      expect(s.hops.length).toBeGreaterThanOrEqual(10);
      expect(s.hops.length).toBeLessThanOrEqual(30);
    }
    const [checkout, cascade] = DEMO_STORIES.map((s) => byTrace.get(s.id)!);
    // Fan-out: one caller, one service, four targets within a few ms.
    expect(new Set(checkout!.filter((e) => e.action === "PUT /v1/stock/{sku}").map((e) => e.target.id)).size).toBe(4);
    // Retries: the same call failing, then succeeding.
    const score = checkout!.filter((e) => e.action === "POST /v1/score").map((e) => e.outcome);
    expect(score).toEqual(["failure", "failure", "success"]);
    // A slow hop: a gap of more than 1.5 s with nothing else happening.
    const times = checkout!.map((e) => Date.parse(e.timestamp)).sort((a, b) => a - b);
    expect(Math.max(...times.slice(1).map((t, i) => t - times[i]!))).toBeGreaterThan(1_500);
    // A cascade: one requester denied by several services in a row.
    const denied = cascade!.filter((e) => e.outcome === "denied");
    expect(new Set(denied.map((e) => e.target.service)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(denied.map((e) => e.requester.id)).size).toBe(1);
    expect(denied.every((e) => e.reason)).toBe(true);
  });
});
