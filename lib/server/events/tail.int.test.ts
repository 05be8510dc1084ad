import { afterEach, describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";
import type { Principal } from "../auth/principal.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { pollTail, startTail, TAIL_BATCH } from "./tail.ts";

// Live tail (issue 15 item 8) on both stores: a start is one meta-audit entry,
// polls add none; a poll returns only matching entries appended after the
// start, oldest first, in bounded batches; a token is bound to its user and filter.

const analyst: Principal = {
  kind: "user",
  userId: "u1",
  email: "ana@test",
  name: null,
  role: "analyst",
  via: "session",
};

async function append(rt: Runtime, n: number, over: Record<string, unknown> = {}) {
  const events = Array.from({ length: n }, () => {
    const v = validateEvent(event(over));
    if (!v.ok) throw new Error("fixture");
    return v.event;
  });
  await rt.sequencer.append("spiffe://tail/src", events);
}

async function tailAudit(rt: Runtime): Promise<string[]> {
  const rows = await rt.db.all<EntryRow>("SELECT * FROM entries WHERE source = 'ledgerline:dashboard' ORDER BY seq");
  return rows.map(rowToEntry).map((e) => e.action ?? "");
}

describe.each(DIALECTS)("live tail on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("returns only new matching entries, in batches, with one audit entry for the whole tail", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    await append(rt, 3, { outcome: "denied", reason: "old" });
    const filter = { outcome: ["denied" as const] };
    const { tail, after } = await startTail(rt, analyst, filter);
    const auditAfterStart = await tailAudit(rt);
    expect(auditAfterStart).toEqual(["events.tail"]);

    expect((await pollTail(rt, analyst, filter, tail, after)).items).toEqual([]);
    await append(rt, 2, { outcome: "success" });
    await append(rt, TAIL_BATCH + 5, { outcome: "denied", reason: "new" });
    const first = await pollTail(rt, analyst, filter, tail, after);
    expect(first.items).toHaveLength(TAIL_BATCH);
    expect(first.more).toBe(true);
    expect(first.items.every((e) => e.outcome === "denied" && e.reason === "new")).toBe(true);
    expect(first.items[0]!.seq).toBeLessThan(first.items[1]!.seq); // oldest first: the client prepends
    const second = await pollTail(rt, analyst, filter, tail, first.after);
    expect(second.items).toHaveLength(5);
    expect(second.more).toBe(false);
    // Polls wrote nothing to the log.
    expect(await tailAudit(rt)).toEqual(auditAfterStart);
  });

  it("refuses a token for another filter or user, and reading before the start", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    await append(rt, 2);
    const filter = { service: "payments" };
    const { tail, after } = await startTail(rt, analyst, filter);
    await expect(pollTail(rt, analyst, { service: "search" }, tail, after)).rejects.toThrow(
      /not one this server issued/,
    );
    await expect(pollTail(rt, { ...analyst, email: "other@test" }, filter, tail, after)).rejects.toThrow(
      /not one this server issued/,
    );
    await expect(pollTail(rt, analyst, filter, tail, 0)).rejects.toThrow(/after must be at least/);
    await expect(pollTail(rt, analyst, filter, "12.abc", after)).rejects.toThrow(/not one this server issued/);
    await expect(pollTail(rt, null, filter, tail, after)).rejects.toMatchObject({ code: "unauthorized" });
  });
});
