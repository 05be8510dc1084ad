import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, matchesFilter, type EventFilter } from "@/lib/core/index.ts";
import { csvHeader, csvLine } from "@/lib/core/bundle/format.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger, testApi } from "@/test/support/stores.ts";
import type { Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { exportEvents } from "./export.ts";

// Issue 15 item 7: "export the current results" as CSV and NDJSON for every role
// that may read (analysts included), streamed in keyset pages, recorded in the log,
// bounded with a message that points to signed bundles, CSV formula-safe like the
// bundle's events.csv (the same csvLine).

const analyst: Principal = {
  kind: "user",
  userId: "u-analyst",
  email: "analyst@example.com",
  name: null,
  role: "analyst",
  via: "token",
  scopes: ["events:read"],
  ip: "192.0.2.7",
};

const N = 2500; // more than two keyset pages of 1 000

async function seed(rt: Runtime, n: number, offset = 0) {
  const events = Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    const v = validateEvent(
      event({
        id: `x-${k}`,
        timestamp: new Date(Date.UTC(2026, 10, 20) + k * 60_000).toISOString(),
        outcome: k % 3 === 0 ? "denied" : "success",
        // A spreadsheet would run these as formulas if the CSV did not defuse them.
        ...(k % 3 === 0 ? { reason: k % 2 ? '=HYPERLINK("http://evil")' : "@SUM(1,2)" } : {}),
        target: { id: `db://t/${k % 7}`, service: k % 2 ? "payments" : "shop" },
      }),
    );
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  });
  for (let i = 0; i < events.length; i += 500) {
    if (!(await rt.sequencer.append("spiffe://test/src", events.slice(i, i + 500))).ok) throw new Error("append");
  }
}

describe.each(DIALECTS)("event export on %s", (dialect) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const t = await freshLedger(dialect);
    rt = t.ledger;
    cleanup = t.cleanup;
    await seed(rt, N);
  }, 120_000);
  afterAll(async () => cleanup?.());

  const api = () => testApi(rt, async () => analyst).events;
  const get = (qs: string) => api().export(new Request(`http://x/api/v1/events/export?${qs}`), {} as never);
  const matching = async (f: EventFilter) =>
    (await rt.db.all<EntryRow>("SELECT * FROM entries ORDER BY seq"))
      .map((r) => ({ entry: rowToEntry(r), leaf: r.leaf_hash }))
      .filter(({ entry }) => matchesFilter(entry, f, canonicalJson));

  it("streams CSV that is the bundle's events.csv for the same entries, formula-safe, and audits it", async () => {
    const filter: EventFilter = { outcome: ["denied"], service: "payments" };
    const want = await matching(filter);
    expect(want.length).toBeGreaterThan(400);
    const res = await get("outcome=denied&service=payments&sort=seq&format=csv");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="ledgerline-events-.*\.csv"/);
    expect(Number(res.headers.get("x-ledgerline-count"))).toBe(want.length);
    const text = await res.text();
    expect(text).toBe(csvHeader() + want.map(({ entry, leaf }) => csvLine(entry, new Uint8Array(leaf))).join(""));
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).not.toMatch(/(^|,)[=@]/m);

    const audit = await rt.db.all<{ action: string; attributes: string; requester_id: string }>(
      "SELECT action, attributes, requester_id FROM entries WHERE action = 'events.export'",
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.requester_id).toBe("analyst@example.com");
    expect(JSON.parse(audit[0]!.attributes)).toMatchObject({ format: "csv", count: want.length, filter });
  });

  it("streams NDJSON in the table's order, without entries appended after it started", async () => {
    const filter: EventFilter = { outcome: ["success"] };
    const before = await matching(filter);
    const res = await get("outcome=success&format=ndjson");
    expect(res.status).toBe(200);
    // Appended after the answer began (and the export's own audit record): not part of it.
    await seed(rt, 50, N);
    const lines = (await res.text()).trimEnd().split("\n");
    const newestFirst = [...before].sort((a, b) =>
      a.entry.timestamp === b.entry.timestamp
        ? b.entry.seq - a.entry.seq
        : a.entry.timestamp < b.entry.timestamp
          ? 1
          : -1,
    );
    expect(lines).toHaveLength(before.length);
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual(newestFirst.map((m) => m.entry.seq));
    expect(JSON.parse(lines[0]!)).toMatchObject({ ...newestFirst[0]!.entry, leafHash: expect.any(String) });
  });

  it("refuses past the limit with a message pointing to evidence bundles, and records nothing", async () => {
    const audits = async () =>
      (await rt.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE action = 'events.export'"))!.n;
    const n = Number(await audits());
    const err = await exportEvents(rt, analyst, {}, { format: "csv", sort: "-ts", limit: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).detail).toMatch(/at most 100\b.*signed evidence bundle/);
    expect(Number(await audits())).toBe(n);
  });

  it("names bad parameters and refuses callers who may not read", async () => {
    for (const [qs, param] of [
      ["format=xml", "format"],
      ["cursor=abc", "cursor"],
      ["limit=5", "limit"],
      ["outcome=maybe", "outcome"],
      ["bogus=1", "bogus"],
    ]) {
      const res = await get(qs!);
      expect(res.status, qs).toBe(400);
      const body = (await res.json()) as { errors: { parameter: string }[] };
      expect(
        body.errors.map((e) => e.parameter),
        qs,
      ).toContain(param);
    }
    const anonymous = testApi(rt, null).events;
    const res = await anonymous.export(new Request("http://x/api/v1/events/export?format=csv"), {} as never);
    expect(res.status).toBe(401);
  });
});
