import { describe, expect, it } from "vitest";
import { DIALECTS, appendEvents, eachFreshLedger, sessionUser as user, testApi } from "@/test/support/stores.ts";
import { GW, ORDERS, at, hop } from "@/test/support/trace-hops.ts";
import type { Principal } from "../auth/principal.ts";
import { queryTraces, resolveTraceId, searchTraces, type TraceSearchPage, type TraceSummary } from "./search.ts";

// Trace search against real stores: the rollup the sequencer keeps (migrations 0011,
// 0021) agrees with a GROUP BY over the entries after batches arriving out of
// claimed order and after requests sharing one group commit, one of them refused; pages walk newest first without gaps or repeats; service, status
// and time narrow it; an upper-case W3C trace-id finds the lower-case one; the API
// checks, audits and refuses bad parameters by name.

const DENIED = { outcome: "denied", reason: "policy says no" };
const FAILED = { outcome: "failure", reason: "timeout" };

describe.each(DIALECTS)("trace search on %s", (dialect) => {
  const fresh = eachFreshLedger(dialect);
  const append = (source: string, events: ReturnType<typeof hop>[]) => appendEvents(fresh.ledger, source, events);

  /** Ten traces t00…t09 (t09 newest), some denied or failed, over three batches, one arriving late. */
  async function seedTraces() {
    for (let i = 0; i < 10; i++) {
      const id = `t${String(i).padStart(2, "0")}`;
      const base = i * 60_000;
      await append("spiffe://t/orders", [
        hop(id, base, GW, "orders"),
        hop(id, base + 10, ORDERS, i % 3 === 0 ? "payments" : "inventory", i % 4 === 1 ? DENIED : {}),
        hop(undefined, base + 20, GW, "orders"),
      ]);
    }
    // A late report of an early hop of t02 (claimed before its first) and a failed hop of t05.
    await append("spiffe://t/payments", [
      hop("t02", 2 * 60_000 - 500, GW, "users"),
      hop("t05", 5 * 60_000 + 30, ORDERS, "payments", FAILED),
    ]);
  }

  /** The rollups equal a GROUP BY over the entries (v1 leaves: every requester id in its column). */
  async function expectRollupsMatchEntries() {
    const db = fresh.ledger.db;
    const rollup = await db.all<Record<string, unknown>>(
      "SELECT correlation_id, first_ts, last_ts, entries, denied, failed FROM traces ORDER BY correlation_id",
    );
    const truth = await db.all<Record<string, unknown>>(
      `SELECT correlation_id, MIN(ts) AS first_ts, MAX(ts) AS last_ts, COUNT(*) AS entries,
              SUM(CASE WHEN outcome = 'denied' THEN 1 ELSE 0 END) AS denied,
              SUM(CASE WHEN outcome = 'failure' THEN 1 ELSE 0 END) AS failed
         FROM entries WHERE correlation_id IS NOT NULL GROUP BY correlation_id ORDER BY correlation_id`,
    );
    const norm = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, entries: Number(r.entries), denied: Number(r.denied), failed: Number(r.failed) }));
    expect(norm(rollup)).toEqual(norm(truth));
    const services = await db.all("SELECT correlation_id, name, last_ts FROM trace_services ORDER BY 1, 2");
    const servicesTruth = await db.all(
      `SELECT correlation_id, name, MAX(ts) AS last_ts FROM (
         SELECT correlation_id, target_service AS name, ts FROM entries WHERE correlation_id IS NOT NULL AND target_service IS NOT NULL
         UNION ALL SELECT correlation_id, requester_id AS name, ts FROM entries WHERE correlation_id IS NOT NULL
       ) AS x GROUP BY correlation_id, name ORDER BY 1, 2`,
    );
    expect(services).toEqual(servicesTruth);
    return rollup;
  }

  it("keeps the rollup equal to the entries, batch after batch", async () => {
    await seedTraces();
    const rollup = await expectRollupsMatchEntries();
    expect(rollup).toHaveLength(10);
    const t02 = await fresh.ledger.db.all<{ name: string }>(
      "SELECT name FROM trace_services WHERE correlation_id = 't02' ORDER BY name",
    );
    expect(t02.map((r) => r.name)).toEqual([ORDERS, GW, "inventory", "orders", "users"].sort());
  });

  it("keeps it equal when requests share one group commit, and a conflicting request adds nothing", async () => {
    const withId = <T extends object>(e: T, id: string) => ({ ...e, id });
    await append("spiffe://t/orders", [withId(hop("c1", 0, GW, "orders"), "x1")]);
    const seq = fresh.ledger.sequencer;
    const before = { ...seq.stats };
    const results = await Promise.all([
      seq.append("spiffe://t/orders", [hop("c1", 10, ORDERS, "payments"), hop("c2", 20, GW, "orders")]),
      // x1 is stored with other content: this request fails alone, c3 must not appear.
      seq.append("spiffe://t/orders", [hop("c2", 25, GW, "audit"), withId(hop("c3", 5, GW, "users", DENIED), "x1")]),
      seq.append("spiffe://t/payments", [hop("c1", -5, ORDERS, "ledger", FAILED), hop("c2", 30, ORDERS, "orders")]),
      seq.append("spiffe://t/payments", [hop("c1", 40, GW, "payments", DENIED)]),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    // Coalesced: fewer transactions than requests.
    expect(seq.stats.groups - before.groups).toBeLessThan(4);
    const rollup = await expectRollupsMatchEntries();
    expect(rollup.map((r) => r.correlation_id)).toEqual(["c1", "c2"]);
    const names = await fresh.ledger.db.all<{ name: string }>(
      "SELECT name FROM trace_services WHERE correlation_id = 'c2' ORDER BY name",
    );
    expect(names.map((r) => r.name)).toEqual([GW, ORDERS, "orders"].sort());
  });

  it("pages newest first without gaps or repeats, narrowed by service, status and time", async () => {
    await seedTraces();
    const all = async (q: Parameters<typeof queryTraces>[1]): Promise<TraceSummary[]> => {
      const out: TraceSummary[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page: TraceSearchPage = await queryTraces(fresh.ledger, q, { limit: 3, cursor });
        out.push(...page.items);
        if (!page.nextCursor) return out;
        cursor = page.nextCursor;
      }
      throw new Error("pages never ended");
    };
    const ids = (l: TraceSummary[]) => l.map((t) => t.correlationId);
    expect(ids(await all({}))).toEqual(["t09", "t08", "t07", "t06", "t05", "t04", "t03", "t02", "t01", "t00"]);
    expect(ids(await all({ service: "payments" }))).toEqual(["t09", "t06", "t05", "t03", "t00"]);
    expect(ids(await all({ service: GW }))).toHaveLength(10);
    expect(ids(await all({ status: "denied" }))).toEqual(["t09", "t05", "t01"]);
    expect(ids(await all({ status: "failed" }))).toEqual(["t05"]);
    // t05 took part in payments (its late failed hop) and had a denial elsewhere.
    expect(ids(await all({ service: "payments", status: "denied" }))).toEqual(["t09", "t05"]);
    expect(ids(await all({ from: at(3 * 60_000), to: at(6 * 60_000) }))).toEqual(["t05", "t04", "t03"]);
    expect(ids(await all({ service: "nobody" }))).toEqual([]);

    const [t05] = (await queryTraces(fresh.ledger, { status: "failed" }, { limit: 1 })).items;
    expect(t05).toMatchObject({ entries: 3, denied: 1, failed: 1, firstTs: at(5 * 60_000), durationMs: 30 });
    expect(t05!.services).toEqual([ORDERS, GW, "inventory", "orders", "payments"].sort());

    // A cursor belongs to the index it walked.
    const first = await queryTraces(fresh.ledger, {}, { limit: 2 });
    await expect(
      queryTraces(fresh.ledger, { service: "orders" }, { limit: 2, cursor: first.nextCursor! }),
    ).rejects.toMatchObject({
      code: "bad_request",
    });
    await expect(queryTraces(fresh.ledger, {}, { limit: 2, cursor: "bm9wZQ" })).rejects.toMatchObject({
      code: "bad_request",
    });
  });

  it("finds the lower-case trace of an upper-case W3C trace-id, and keeps exact ids exact", async () => {
    const lower = "4bf92f3577b34da6a3ce929d0e0e4736";
    await append("spiffe://t/orders", [hop(lower, 0, GW, "orders"), hop("Mixed-Case", 5, GW, "orders")]);
    expect(await resolveTraceId(fresh.ledger, user("analyst"), lower.toUpperCase())).toBe(lower);
    expect(await resolveTraceId(fresh.ledger, user("analyst"), lower)).toBe(lower);
    // Not hex: ids stay case-sensitive, as ingest stored them.
    expect(await resolveTraceId(fresh.ledger, user("analyst"), "mixed-case")).toBe("mixed-case");
    await expect(resolveTraceId(fresh.ledger, null, lower)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("serves GET /api/v1/traces: checked, audited once per search, bad parameters named", async () => {
    await seedTraces();
    let principal: Principal | null = user("analyst");
    const api = testApi(fresh.ledger, async () => principal).traces;
    const list = (qs: string) => api.list(new Request(`http://x/api/v1/traces?${qs}`), { params: Promise.resolve({}) });

    const res = await list("service=payments&status=denied&limit=5");
    expect(res.status).toBe(200);
    expect(((await res.json()) as TraceSearchPage).items.map((t) => t.correlationId)).toEqual(["t09", "t05"]);
    const p1 = (await (await list("limit=4")).json()) as TraceSearchPage;
    const p2 = (await (await list(`limit=4&cursor=${p1.nextCursor}`)).json()) as TraceSearchPage;
    expect([...p1.items, ...p2.items].map((t) => t.correlationId)).toEqual([
      "t09",
      "t08",
      "t07",
      "t06",
      "t05",
      "t04",
      "t03",
      "t02",
    ]);

    for (const [qs, param] of [
      ["status=maybe", "status"],
      ["from=yesterday", "from"],
      ["limit=0", "limit"],
      ["limit=1000", "limit"],
      ["service=a%00b", "service"],
      ["colour=red", "colour"],
      ["from=2026-11-27T10:00:00Z&to=2026-11-27T09:00:00Z", "to"],
      ["cursor=%2F%2F", "cursor"],
    ] as const) {
      const bad = await list(qs);
      expect(bad.status, qs).toBe(400);
      expect((await bad.json()).errors[0].parameter, qs).toBe(param);
    }
    principal = null;
    expect((await list("")).status).toBe(401);

    const audits = await fresh.ledger.db.all<{ action: string; attributes: string | null }>(
      "SELECT action, attributes FROM entries WHERE target_id = 'ledgerline:traces' ORDER BY seq",
    );
    // Two first pages (the cursor page is the same search); refused requests are not recorded.
    expect(audits.map((a) => a.action)).toEqual(["traces.search", "traces.search"]);
    expect(JSON.parse(audits[0]!.attributes!)).toMatchObject({ query: { service: "payments", status: "denied" } });
    // Audit entries carry no correlation id: the dashboard's own reads never show up as traces.
    expect((await queryTraces(fresh.ledger, {}, { limit: 50 })).items).toHaveLength(10);
  });

  it.runIf(dialect === "sqlite")("walks one index range per page (SQLite plan)", async () => {
    const plan = async (sql: string, params: string[]) =>
      (await fresh.ledger.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params))
        .map((r) => r.detail)
        .join(" | ");
    const recent = await plan(
      "SELECT correlation_id FROM traces t ORDER BY t.last_ts DESC, t.correlation_id DESC LIMIT 26",
      [],
    );
    expect(recent).toMatch(/traces_last/);
    expect(recent).not.toMatch(/TEMP B-TREE/);
    const denied = await plan(
      "SELECT t.correlation_id FROM traces t WHERE t.denied > 0 ORDER BY t.last_ts DESC, t.correlation_id DESC LIMIT 26",
      [],
    );
    expect(denied).toMatch(/traces_denied_last/);
    const bySvc = await plan(
      "SELECT t.correlation_id FROM trace_services s JOIN traces t ON t.correlation_id = s.correlation_id WHERE s.name = ? ORDER BY s.last_ts DESC, s.correlation_id DESC LIMIT 26",
      ["payments"],
    );
    expect(bySvc).toMatch(/trace_services_name_last/);
    expect(bySvc).not.toMatch(/TEMP B-TREE/);
  });

  it("refuses a search without traces:read", async () => {
    await expect(searchTraces(fresh.ledger, null, {}, { limit: 5 })).rejects.toMatchObject({ code: "unauthorized" });
  });
});
