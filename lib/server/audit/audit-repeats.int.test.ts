import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, tokenUser } from "@/test/support/stores.ts";
import { flushRepeatableAudits } from "./audit-repeats.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";
import type { Runtime as Ledger } from "../runtime/runtime.ts";
import { searchEvents, viewEvent } from "../events/search.ts";

// Security regression (issue 13, item 7): 150 identical GET /api/v1/events?q=…
// with one read token wrote 150 permanent meta-audit entries. Identical reads
// by the same principal within the window are now one entry at once plus one
// `.repeated` entry with the count, both in the tamper-evident log.

const analyst = (ip?: string) => tokenUser("analyst", ["events:read"], ip);

async function audit(ledger: Ledger, after = 0) {
  const rows = await ledger.db.all<EntryRow>(
    "SELECT * FROM entries WHERE seq > ? AND source = 'ledgerline:dashboard' ORDER BY seq",
    [after],
  );
  return rows.map(rowToEntry);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)("repeated reads on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("records the first search at once and the repeats in one later entry with their count", async () => {
    const t = await freshLedger(dialect, { LEDGERLINE_READ_AUDIT_WINDOW: "1" });
    cleanup = t.cleanup;
    const { ledger } = t;
    const opts = { sort: "-ts" as const, limit: 10 };
    for (let i = 0; i < 6; i++) {
      // The same filter, its fields in another order every other time.
      const filter = i % 2 ? { q: "same", outcome: ["denied" as const] } : { outcome: ["denied" as const], q: "same" };
      await searchEvents(ledger, analyst(), filter, opts);
    }
    await searchEvents(ledger, analyst(), { q: "other" }, opts);
    await searchEvents(ledger, analyst("192.0.2.10"), { q: "same", outcome: ["denied"] }, opts);
    const now = await audit(ledger);
    expect(now.map((e) => `${e.action} ${e.requester.ip} ${JSON.stringify(e.attributes?.filter)}`)).toEqual([
      'events.search 192.0.2.9 {"outcome":["denied"],"q":"same"}',
      'events.search 192.0.2.9 {"q":"other"}',
      'events.search 192.0.2.10 {"outcome":["denied"],"q":"same"}',
    ]);
    expect(now[0]!.attributes).toMatchObject({ repeatWindowSeconds: 1 });

    // The window's timer closes it: one summary naming the first entry's seq.
    await sleep(1600);
    const after = await audit(ledger, now.at(-1)!.seq);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      action: "events.search.repeated",
      eventType: "read",
      outcome: "success",
      requester: { id: "analyst@test", type: "user", ip: "192.0.2.9" },
      target: { id: "ledgerline:events", type: "events" },
      attributes: { filter: { outcome: ["denied"], q: "same" }, repeatOf: now[0]!.seq, repeats: 5 },
    });
    const a = after[0]!.attributes as { firstRepeatAt: string; lastRepeatAt: string };
    expect(a.firstRepeatAt <= a.lastRepeatAt).toBe(true);

    // A new window after that: the next identical search is recorded at once again.
    await searchEvents(ledger, analyst(), { q: "same", outcome: ["denied"] }, opts);
    expect((await audit(ledger, after[0]!.seq)).map((e) => e.action)).toEqual(["events.search"]);
  });

  it("views of one entry coalesce too; with the window at 0 every read is recorded", async () => {
    const t = await freshLedger(dialect, { LEDGERLINE_READ_AUDIT_WINDOW: "60" });
    cleanup = t.cleanup;
    const { ledger } = t;
    await searchEvents(ledger, analyst(), {}, { sort: "-ts", limit: 1 }); // entry 1 exists to view
    for (let i = 0; i < 3; i++) await viewEvent(ledger, analyst(), 1);
    await flushRepeatableAudits(ledger);
    const views = (await audit(ledger)).filter((e) => e.action?.startsWith("events.view"));
    expect(views.map((e) => [e.action, e.attributes?.repeats])).toEqual([
      ["events.view", undefined],
      ["events.view.repeated", 2],
    ]);

    const t0 = await freshLedger(dialect, { LEDGERLINE_READ_AUDIT_WINDOW: "0" });
    const c1 = cleanup;
    cleanup = async () => {
      await c1();
      await t0.cleanup();
    };
    for (let i = 0; i < 3; i++) await searchEvents(t0.ledger, analyst(), { q: "x" }, { sort: "-ts", limit: 1 });
    const each = await audit(t0.ledger);
    expect(each.map((e) => e.action)).toEqual(["events.search", "events.search", "events.search"]);
    expect(each[0]!.attributes).not.toHaveProperty("repeatWindowSeconds");
  });
});
