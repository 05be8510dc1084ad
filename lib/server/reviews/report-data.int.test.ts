import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, appendEvents, freshLedger } from "@/test/support/stores.ts";
import { at, hop } from "@/test/support/trace-hops.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { eraseSubject } from "../retention/erase.ts";
import { declarePersonalField } from "../retention/personal-fields.ts";
import { ERASED_REQUESTER, collectReportData, type ReviewReportSpec } from "./report-data.ts";

// A review pack's figures name requesters as readers see them. With /requester/id declared
// personal (leaf v2) the column holds "" and the id is kept in entry_secrets: the report read
// the column and listed every committed requester as one "" identity, "new" each period. It
// now reads the kept value (an erased one as "(erased)"), and "new in the period" looks for
// earlier entries of an id in both places.

const SOURCE = "spiffe://t.example/ns/mesh/sa/observer";
const admin = systemPrincipal("root@test");
const HOUR = 3_600_000;
const OLD = "spiffe://t.example/ns/shop/sa/old";
const PREV = "spiffe://t.example/ns/shop/sa/prev";
const NEW = "spiffe://t.example/ns/shop/sa/new";
const DENY = "spiffe://t.example/ns/shop/sa/deny";
const GONE = "spiffe://t.example/ns/shop/sa/gone";

const spec: ReviewReportSpec = {
  ...{ scheduleId: "s", scheduleName: "daily", viewName: "All", viewQuery: "", frequency: "daily" },
  ...{ cron: "0 0 * * *", timeZone: "UTC", template: null, periodStart: at(0), periodEnd: at(24 * HOUR) },
};

describe.each(DIALECTS)("review report figures with committed requester ids on %s", (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('lists kept ids (never ""), erased ones as (erased), and finds ids seen before in either form', async () => {
    const env = await freshLedger(dialect);
    cleanup = env.cleanup;
    const l = env.ledger;
    // Before the period: OLD with its id in the column (v1), then the field is declared personal.
    await appendEvents(l, SOURCE, [hop(undefined, -2 * HOUR, OLD, "orders")]);
    await declarePersonalField(l, admin, { source: SOURCE, pointer: "/requester/id" });
    const v2 = (events: ReturnType<typeof hop>[]) => l.sequencer.append(SOURCE, events, ["/requester/id"]);
    await v2([hop(undefined, -HOUR, PREV, "orders")]);
    // The period.
    await v2([
      hop(undefined, HOUR, OLD, "orders"),
      hop(undefined, HOUR + 1, PREV, "orders"),
      ...[2, 3, 4].map((m) => hop(undefined, HOUR + m, NEW, "orders")),
      ...[5, 6].map((m) => hop(undefined, HOUR + m, DENY, "payments", { outcome: "denied", reason: "no" })),
      hop(undefined, HOUR + 7, GONE, "orders", { outcome: "denied", reason: "no" }),
    ]);
    const col = await l.db.all<{ n: number | string }>("SELECT COUNT(*) AS n FROM entries WHERE requester_id = ''");
    expect(Number(col[0]!.n)).toBe(9); // committed: the column holds ""
    await eraseSubject(l, admin, { field: "/requester/id", value: GONE, request: "DSR-7" });

    const data = await collectReportData(l.db, spec, { from: spec.periodStart, to: spec.periodEnd });
    expect(data.total).toBe(8);
    const top = Object.fromEntries(data.topRequesters.map((r) => [r.key, [r.count, r.denied]]));
    expect(top).toEqual({
      [NEW]: [3, 0],
      [DENY]: [2, 2],
      [OLD]: [1, 0],
      [PREV]: [1, 0],
      [ERASED_REQUESTER]: [1, 1],
    });
    expect(data.deniedPairs).toEqual([
      { requester: DENY, target: "https://payments.svc/v1/x", count: 2 },
      { requester: ERASED_REQUESTER, target: "https://orders.svc/v1/x", count: 1 },
    ]);
    // OLD was seen as v1, PREV as v2 before the period; the erased id is nobody's to list.
    expect(data.newIdentities.listed.map((i) => [i.requester, i.count, i.firstSeen])).toEqual([
      [NEW, 3, at(HOUR + 2)],
      [DENY, 2, at(HOUR + 5)],
    ]);
    expect(data.newIdentities.count).toBe(2);

    // A view that searches the committed field (its SQL reads entry_secrets by `entries.seq`).
    const narrowed = await collectReportData(l.db, spec, {
      from: spec.periodStart,
      to: spec.periodEnd,
      requester: NEW,
    });
    expect(narrowed.total).toBe(3);
    expect(narrowed.newIdentities.listed.map((i) => i.requester)).toEqual([NEW]);
  });
});
