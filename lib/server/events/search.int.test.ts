import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, matchesFilter, type EventFilter } from "@/lib/core/index.ts";
import { SORTS, type Sort } from "@/lib/schemas/event-filter.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { seededRandom } from "@/test/support/prng.ts";
import { DIALECTS, event, freshLedger, testApi, tokenUser } from "@/test/support/stores.ts";
import type { Principal } from "../auth/principal.ts";
import { rowToEntry, type Entry, type EntryRow } from "../ledger/entry.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { queryEvents, queryHistogram, queryTop } from "./query.ts";

// The SQL a filter becomes must select exactly what the reference matcher in
// lib/core accepts — that matcher is what an offline verifier re-applies to a
// bundle (SPEC §5 condition 5). Checked here on both stores over a corpus built
// to hit the edges: prefixes that are prefixes of each other, absent optional
// fields under negation, case-folding of free text, non-ASCII and LIKE wildcards.

const REQUESTERS = [
  "spiffe://acme/payments/api",
  "spiffe://acme/payments/api-v2",
  "spiffe://acme/shop/web",
  "svc-Ünïcode/ß",
  "job:nightly_%_report",
  "spiffe://acme/pay",
];
const TARGETS = [
  "db://payments-pg/cards",
  "db://payments-pg/cards/archive",
  "s3://bucket/a_b%c",
  "https://api.example/v1/orders",
  "queue://events",
];
const SERVICES = ["payments", "payments-audit", "shop", "Payments", undefined];
const ACTIONS = ["SELECT cards", "SELECT", "PUT /v1/orders/{id}", undefined];
const REASONS = ["Policy DENY: no grant", "token expired", "ok 100% fine", "Zürich office", undefined];

function corpus(n: number): Record<string, unknown>[] {
  const r = seededRandom(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const service = pick(SERVICES);
    const action = pick(ACTIONS);
    const reason = pick(REASONS);
    const ev = event({
      id: `e-${i}`,
      timestamp: new Date(Date.UTC(2026, 10, 20) + Math.floor(r() * 7 * 86_400_000)).toISOString(),
      eventType: pick(["read", "write", "delete", "execute"]),
      outcome: pick(["success", "success", "failure", "denied"]),
      requester: { id: pick(REQUESTERS), type: pick(["service", "job", "workload"]) },
      target: { id: pick(TARGETS), ...(service ? { service } : {}) },
      correlationId: `c-${i % 9}`,
      attributes: r() < 0.5 ? { note: pick(["DENY list", "Grüße", "plain", "50%_off"]) } : { n: i },
    });
    if (action === undefined) delete ev.action;
    else ev.action = action;
    if (reason !== undefined) ev.reason = reason;
    return ev;
  });
}

function filters(): EventFilter[] {
  const r = seededRandom(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const fixed: EventFilter[] = [
    {},
    { requester: "spiffe://acme/payments/api" },
    { requester: "spiffe://acme/payments/api*" },
    { requester: "spiffe://acme/pay*" },
    { requester: "!spiffe://acme/payments*" },
    { requester: "svc-Ü*" },
    { target: "s3://bucket/a_b%c" },
    { target: "db://payments-pg/cards*", outcome: ["denied"], eventType: ["write", "delete"] },
    { service: "payments" },
    { service: "!payments" },
    { service: "payments*" },
    { action: "!SELECT*" },
    { action: "SELECT" },
    { q: "deny" },
    { q: "100%" },
    { q: "_" },
    { q: "ZÜRICH" },
    { q: "zürich" },
    { q: "grüße" },
    { from: "2026-11-22T00:00:00.000Z", to: "2026-11-23T00:00:00.000Z" },
    { seqFrom: 10, seqTo: 90 },
    { correlationId: "c-3", requesterType: ["job"] },
    { source: "spiffe://p/*" },
    { source: "!spiffe://p/src" },
    { hideOwnActivity: true },
    { hideOwnActivity: true, outcome: ["denied"] },
    { hideOwnActivity: true, source: "ledgerline:*" },
    { hideOwnActivity: true, source: "!spiffe://p/src" },
    { source: "ledgerline:cli" },
  ];
  const random: EventFilter[] = Array.from({ length: 40 }, () => {
    const f: EventFilter = {};
    if (r() < 0.4)
      f.requester = pick(["", "!"]) + pick(REQUESTERS).slice(0, 10 + Math.floor(r() * 20)) + pick(["", "*"]);
    if (r() < 0.3) f.target = pick(["", "!"]) + pick(TARGETS) + pick(["", "*"]);
    if (r() < 0.3) f.outcome = [pick(["success", "failure", "denied"])];
    if (r() < 0.3) f.eventType = [pick(["read", "write"]), pick(["delete", "execute"])];
    if (r() < 0.3) f.service = pick(["", "!"]) + pick(["payments", "pay", "shop"]) + pick(["", "*"]);
    if (r() < 0.2) f.q = pick(["deny", "DENY", "ok", "%", "grü"]);
    if (r() < 0.3) {
      const d = 20 + Math.floor(r() * 5);
      f.from = `2026-11-${d}T06:00:00.000Z`;
      f.to = `2026-11-${d + 2}T18:00:00.000Z`;
    }
    if (r() < 0.3) f.hideOwnActivity = true;
    return f;
  });
  return [...fixed, ...random];
}

async function allPages(ledger: Runtime, f: EventFilter, sort: Sort, limit: number): Promise<number[]> {
  const seqs: number[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await queryEvents(ledger, f, { sort, limit, cursor });
    seqs.push(...page.items.map((e) => e.seq));
    if (!page.nextCursor) return seqs;
    cursor = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

function expectedOrder(entries: Entry[], sort: Sort): number[] {
  const key = (e: Entry) => (sort.endsWith("ts") ? e.timestamp : "");
  const desc = sort.startsWith("-");
  return [...entries]
    .sort((a, b) => {
      const k = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.seq - b.seq;
      return desc ? -k : k;
    })
    .map((e) => e.seq);
}

describe.each(DIALECTS)("explorer queries on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let entries: Entry[];

  beforeAll(async () => {
    const t = await freshLedger(dialect);
    ledger = t.ledger;
    cleanup = t.cleanup;
    const events = corpus(400).map((raw) => {
      const v = validateEvent(raw);
      if (!v.ok) throw new Error(`fixture: ${JSON.stringify(v.errors)}`);
      return v.event;
    });
    for (let i = 0; i < events.length; i += 100) {
      // The last batch stands for Ledgerline's own meta-audit records (a `ledgerline:`
      // source, which ingest refuses to keys; the sequencer itself takes any source).
      const r = await ledger.sequencer.append(
        i < 200 ? "spiffe://p/src" : i < 300 ? "spiffe://p/other" : "ledgerline:cli",
        events.slice(i, i + 100) as never,
      );
      if (!r.ok) throw new Error("append failed");
    }
    const rows = await ledger.db.all<EntryRow>("SELECT * FROM entries ORDER BY seq");
    entries = rows.map(rowToEntry);
  }, 60_000);
  afterAll(async () => cleanup?.());

  it("selects exactly what matchesFilter accepts, for every filter, across keyset pages", async () => {
    let nonEmpty = 0;
    for (const f of filters()) {
      const want = entries.filter((e) => matchesFilter(e, f, canonicalJson)).map((e) => e.seq);
      const got = await allPages(ledger, f, "seq", 1000);
      expect(got, JSON.stringify(f)).toEqual(want);
      if (want.length > 0 && want.length < entries.length) nonEmpty++;
    }
    // The corpus must make the filters discriminate, or the comparison proves little.
    expect(nonEmpty).toBeGreaterThan(30);
  });

  it.each(SORTS)("pages in %s order without gaps or repeats, ties broken by seq", async (sort) => {
    const f: EventFilter = { requester: "spiffe://acme/payments*" };
    const matching = entries.filter((e) => matchesFilter(e, f, canonicalJson));
    expect(await allPages(ledger, f, sort, 7)).toEqual(expectedOrder(matching, sort));
  });

  it.each<[string, EventFilter, string]>([
    [
      "from the entries (service filter)",
      { from: "2026-11-21T00:00:00.000Z", to: "2026-11-24T00:00:00.000Z", service: "!shop" },
      "1h",
    ],
    [
      "from the rollup, unaligned ends",
      { from: "2026-11-21T00:07:13.500Z", to: "2026-11-23T17:55:00.001Z", outcome: ["denied", "success"] },
      "1h",
    ],
    ["from the rollup, the whole log", {}, "1h"],
    ["minute buckets", { from: "2026-11-22T10:00:00.000Z", to: "2026-11-22T12:00:00.000Z" }, "1m"],
    // Hiding the meta-audit: the rollup's counts minus the `ledgerline:` entries'.
    ["without the meta-audit, the whole log", { hideOwnActivity: true }, "1h"],
    [
      "without the meta-audit, rollup with unaligned ends",
      { from: "2026-11-21T00:07:13.500Z", to: "2026-11-23T17:55:00.001Z", outcome: ["denied"], hideOwnActivity: true },
      "1h",
    ],
    [
      "without the meta-audit, minute buckets",
      { from: "2026-11-22T10:00:00.000Z", to: "2026-11-22T12:00:00.000Z", hideOwnActivity: true },
      "1m",
    ],
    [
      "without the meta-audit, from the entries",
      { from: "2026-11-21T00:00:00.000Z", to: "2026-11-24T00:00:00.000Z", service: "!shop", hideOwnActivity: true },
      "1h",
    ],
  ])("histogram %s and top-N count the same entries as the filter", async (_, f, bucket) => {
    const matching = entries.filter((e) => matchesFilter(e, f, canonicalJson));
    const h = await queryHistogram(ledger, f);
    expect(h.bucket).toBe(bucket);
    expect(h.total).toBe(matching.length);
    expect(h.denied).toBe(matching.filter((e) => e.outcome === "denied").length);
    expect(h.buckets.reduce((n, b) => n + b.success + b.failure + b.denied, 0)).toBe(matching.length);
    for (const b of h.buckets) {
      const inBucket = matching.filter(
        (e) => e.timestamp >= b.start && Date.parse(e.timestamp) < Date.parse(b.start) + h.bucketMs,
      );
      expect(b.success + b.failure + b.denied, b.start).toBe(inBucket.length);
    }
    const top = await queryTop(ledger, f, "requester", 3);
    const counts = new Map<string, number>();
    for (const e of matching) counts.set(e.requester.id, (counts.get(e.requester.id) ?? 0) + 1);
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    expect(top.map((t) => [t.value, t.count])).toEqual(best);
  });

  it("top lists of a large selection count exactly the newest `sample` matching entries", async () => {
    const f: EventFilter = { outcome: ["success", "denied"] };
    const newest = entries
      .filter((e) => matchesFilter(e, f, canonicalJson))
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : b.seq - a.seq))
      .slice(0, 40);
    const counts = new Map<string, number>();
    for (const e of newest) counts.set(e.target.id, (counts.get(e.target.id) ?? 0) + 1);
    const want = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    const got = await queryTop(ledger, f, "target", 3, 40);
    expect(got.map((t) => [t.value, t.count])).toEqual(want);
    expect(got.reduce((n, t) => n + t.count, 0)).toBeLessThanOrEqual(40);
  });

  it("the read API: validated parameters, permissions, audited searches, detail", async () => {
    let principal: Principal | null = tokenUser("analyst", ["events:read"]);
    const api = testApi(ledger, async () => principal).events;
    const get = (qs: string) => api.list(new Request(`http://x/api/v1/events?${qs}`), {} as never);

    const bad = await get("seqFrom=abc&sort=requester&limit=5000&bogus=1&outcome=maybe");
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: Array<{ parameter: string }> };
    expect(problem.errors.map((e) => e.parameter).sort()).toEqual(["bogus", "limit", "outcome", "seqFrom", "sort"]);
    expect((await get("from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z")).status).toBe(400);
    expect((await get("cursor=bm90LWEtY3Vyc29y")).status).toBe(400);

    const before = entries.length;
    const res = await get("requester=spiffe://acme/payments*&outcome=denied,failure&limit=5&sort=seq");
    expect(res.status).toBe(200);
    const page = (await res.json()) as {
      items: Array<{ seq: number; outcome: string; leafHash: string }>;
      nextCursor: string;
    };
    expect(page.items).toHaveLength(5);
    expect(page.items.every((i) => i.outcome !== "success" && i.leafHash.length === 44)).toBe(true);
    const next = (await (
      await get(`requester=spiffe://acme/payments*&outcome=denied,failure&limit=5&sort=seq&cursor=${page.nextCursor}`)
    ).json()) as typeof page;
    expect(next.items[0]!.seq).toBeGreaterThan(page.items[4]!.seq);

    // The first page of a search is recorded in the ledger (cursor pages are not), with the filter.
    const audit = await ledger.db.all<EntryRow>(
      "SELECT * FROM entries WHERE seq > ? AND source = 'ledgerline:dashboard'",
      [before],
    );
    const searches = audit.map(rowToEntry).filter((e) => e.action === "events.search");
    expect(searches).toHaveLength(1);
    expect(searches[0]!.requester).toMatchObject({ id: "analyst@test", type: "user", ip: "192.0.2.9" });
    expect(searches[0]!.attributes).toMatchObject({
      filter: { requester: "spiffe://acme/payments*", outcome: ["denied", "failure"] },
    });

    const detail = await api.get(new Request("http://x/api/v1/events/3"), { params: Promise.resolve({ seq: "3" }) });
    expect(detail.status).toBe(200);
    const d = (await detail.json()) as { entry: Entry; canonicalJson: string; leafHash: string };
    expect(d.entry.seq).toBe(3);
    expect(JSON.parse(d.canonicalJson)).toEqual(d.entry);
    expect(
      (await api.get(new Request("http://x/api/v1/events/x"), { params: Promise.resolve({ seq: "x" }) })).status,
    ).toBe(400);
    expect(
      (await api.get(new Request("http://x/api/v1/events/999999"), { params: Promise.resolve({ seq: "999999" }) }))
        .status,
    ).toBe(404);

    const summary = await api.summary(new Request("http://x/api/v1/events/summary?outcome=denied"), {} as never);
    const s = (await summary.json()) as { histogram: { total: number }; topTargets: unknown[] };
    expect(s.histogram.total).toBe(entries.filter((e) => e.outcome === "denied").length);
    expect(s.topTargets.length).toBeGreaterThan(0);

    // A filter at its length limits is past the 8 KiB attributes limit: the search is
    // still answered and recorded, with the filter's digest instead of the filter.
    const long = await get(
      `requester=${encodeURIComponent("€".repeat(512))}&target=${encodeURIComponent("€".repeat(1024))}&q=${encodeURIComponent("€".repeat(256))}`,
    );
    expect(long.status).toBe(200);
    const last = rowToEntry((await ledger.db.get<EntryRow>("SELECT * FROM entries ORDER BY seq DESC LIMIT 1"))!);
    expect(last.action).toBe("events.search");
    expect(last.attributes).toMatchObject({ filterSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Text no identifier can hold is refused before anything runs (it used to reach the audit record as a 500).
    expect((await get("q=%05")).status).toBe(400);
    expect((await get("correlationId=%E2%80%AEx")).status).toBe(400);

    principal = null;
    expect((await get("")).status).toBe(401);
    expect(before).toBe(entries.length);
  });
});
