import { afterEach, describe, expect, it } from "vitest";
import {
  DIALECTS,
  event,
  freshLedger,
  ingestRequest,
  testApi,
  type Attacker,
  type Dialect,
} from "@/test/support/stores.ts";
import { storeBytes } from "@/test/support/store-bytes.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { systemPrincipal, type Principal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import { queryTop } from "../events/query.ts";
import { summarizeEvents } from "../events/search.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";
import { queryTraces } from "../traces/search.ts";
import { queryTrace } from "../traces/trace.ts";
import { eraseSubject } from "./erase.ts";
import { listErasures } from "./erasures.ts";
import { declarePersonalField, undeclarePersonalField } from "./personal-fields.ts";
import { setRetentionPolicy } from "./policies.ts";
import { runPrune } from "./prune.ts";
import { prunedInRange } from "./pruned-view.ts";
import { checkDeclarations } from "./verify-declarations.ts";

// Issue 18, the gaps of the erasure design (s6-eraseui): derived data — the trace rollup,
// the top-requesters list, a trace's lanes — shows a committed requester id's kept value
// (never ""), and after an erasure keeps the erased value nowhere, rollup tables included,
// down to the database file bytes. Also: past erasures listed from the log, the dry run
// logged without the value, personal_fields checked against the log, and pruned entries
// counted per receipt where readers look. Both stores.

const admin = systemPrincipal("root@test");
const auditor: Principal = {
  kind: "user",
  via: "session",
  userId: "u-auditor",
  email: "a@test",
  name: null,
  role: "auditor",
};
const SOURCE = "spiffe://test.example/ns/shop/sa/views";
const SUBJECT = "subject-5e1c@example.com";
const OTHER = "other-0b7d@example.com";
const CORR = "corr-erasure-views-1";

async function setup(dialect: Dialect) {
  const env = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
  await declarePersonalField(env.ledger, admin, { source: SOURCE, pointer: "/requester/id" });
  const { key } = await createIngestKey(env.ledger, admin, SOURCE);
  const events = [SUBJECT, SUBJECT, OTHER].map((id) =>
    event({ requester: { id, type: "user" }, correlationId: CORR, timestamp: new Date().toISOString() }),
  );
  const res = await testApi(env.ledger).events.post(
    ingestRequest("http://127.0.0.1/api/v1/events", JSON.stringify(events), {}, key),
    {},
  );
  expect(res.status).toBe(201);
  return env;
}

const names = async (env: Awaited<ReturnType<typeof freshLedger>>) =>
  (
    await env.ledger.db.all<{ name: string }>(
      "SELECT name FROM trace_services WHERE correlation_id = ? ORDER BY name",
      [CORR],
    )
  ).map((r) => r.name);

describe.each(DIALECTS)("erased and pruned entries where readers look, on %s", (dialect) => {
  let env: Awaited<ReturnType<typeof freshLedger>>;
  let attacker: Attacker | undefined;
  afterEach(async () => {
    await attacker?.close();
    attacker = undefined;
    await (env as typeof env | undefined)?.cleanup();
    env = undefined as unknown as typeof env;
  });

  it("the trace rollup, top requesters and trace lanes show a committed requester id's kept value", async () => {
    env = await setup(dialect);
    expect(await names(env)).toEqual([OTHER, "payments", SUBJECT]);
    const found = await queryTraces(env.ledger, { service: SUBJECT }, { limit: 10 });
    expect(found.items.map((t) => t.correlationId)).toEqual([CORR]);
    const top = await queryTop(env.ledger, { source: SOURCE }, "requester");
    expect(top).toEqual([
      { value: SUBJECT, count: 2 },
      { value: OTHER, count: 1 },
    ]);
    const sampled = await queryTop(env.ledger, { source: SOURCE }, "requester", 10, 2);
    expect(sampled.map((t) => t.value).sort()).toEqual([OTHER, SUBJECT].sort());
    const trace = await queryTrace(env.ledger, CORR);
    expect(trace.lanes.map((l) => l.id)).toEqual(expect.arrayContaining([SUBJECT, OTHER]));
    expect(trace.lanes.map((l) => l.id)).not.toContain("");
  });

  it("after erasure no rollup, list or lane keeps the value, down to the database file bytes", async () => {
    env = await setup(dialect);
    const r = await eraseSubject(env.ledger, admin, { field: "/requester/id", value: SUBJECT, request: "DSR-V1" });
    expect(r.erased).toBe(2);
    expect(await names(env)).toEqual([OTHER, "payments"]);
    expect((await queryTraces(env.ledger, { service: SUBJECT }, { limit: 10 })).items).toEqual([]);
    expect(await queryTop(env.ledger, { source: SOURCE }, "requester")).toEqual([{ value: OTHER, count: 1 }]);
    const trace = await queryTrace(env.ledger, CORR);
    expect(trace.lanes.map((l) => l.id).sort()).toEqual(["(erased)", OTHER, "payments"].sort());
    const erased = trace.entries.filter((e) => e.erased?.length);
    expect(erased).toHaveLength(2);
    expect(erased[0]!.erased![0]).toMatchObject({
      pointer: "/requester/id",
      request: "DSR-V1",
      receiptSeq: r.receipts[0],
    });
    attacker = await env.store.attacker();
    const bytes = await storeBytes(env.store, attacker);
    expect(bytes.includes(Buffer.from(OTHER)), "the check can see a kept value").toBe(true);
    expect(bytes.includes(Buffer.from(SUBJECT))).toBe(false);
  });

  it("lists erasures from their receipts, and logs a dry run without the value", async () => {
    env = await setup(dialect);
    const dry = await eraseSubject(env.ledger, admin, {
      field: "/requester/id",
      value: SUBJECT,
      request: "DSR-V2",
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, matched: 2, erased: 2, receipts: [] });
    const previews = await ownEntriesWithAction(env.ledger.db, "retention.erasure.preview");
    expect(previews).toHaveLength(1);
    expect(JSON.parse(previews[0]!.attributes!)).toEqual({ field: "/requester/id", request: "DSR-V2" });
    expect(JSON.stringify(previews[0])).not.toContain(SUBJECT);
    expect(await listErasures(env.ledger, admin)).toEqual([]);
    const done = await eraseSubject(env.ledger, admin, { field: "/requester/id", value: SUBJECT, request: "DSR-V2" });
    const list = await listErasures(env.ledger, admin);
    expect(list).toEqual([
      expect.objectContaining({ seq: done.receipts[0], field: "/requester/id", request: "DSR-V2", count: 2 }),
    ]);
    await expect(listErasures(env.ledger, auditor)).rejects.toThrow();
  });

  it("personal_fields edited beside the use cases disagrees with the log, and the declarations check names it", async () => {
    env = await setup(dialect);
    expect(await checkDeclarations(env.ledger.db)).toEqual([]);
    await declarePersonalField(env.ledger, admin, { source: "*", pointer: "/requester/ip" });
    await undeclarePersonalField(env.ledger, admin, { source: "*", pointer: "/requester/ip" });
    expect(await checkDeclarations(env.ledger.db)).toEqual([]);
    attacker = await env.store.attacker();
    await attacker.exec(`DELETE FROM personal_fields WHERE source = '${SOURCE}'`);
    await attacker.exec(
      `INSERT INTO personal_fields (source, pointer, updated_at, updated_by, audit_seq) VALUES ('x', '/reason', '2026-01-01T00:00:00.000Z', 'insider', 1)`,
    );
    const problems = await checkDeclarations(env.ledger.db);
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toMatch(/\/reason of x is declared in the table but not in the log/);
    expect(problems.join("\n")).toMatch(/\/requester\/id of spiffe:.*is missing from the table/);
  });

  it("counts pruned entries per receipt and policy in a time range (the explorer's and trace page's notice)", async () => {
    env = await freshLedger(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const old = (i: number) => {
      const v = validateEvent(event({ timestamp: new Date(Date.UTC(2023, 0, 1, 0, 0, i)).toISOString() }));
      if (!v.ok) throw new Error("bad fixture");
      return v.event;
    };
    await env.ledger.sequencer.append(
      "spiffe://test/old",
      Array.from({ length: 12 }, (_, i) => old(i)),
    );
    await setRetentionPolicy(env.ledger, admin, "default", { days: 400 });
    const { receipts } = await runPrune(env.ledger, admin);
    expect(receipts).toHaveLength(1);
    const all = await prunedInRange(env.ledger.db, "2023-01-01T00:00:00.000Z", "2023-01-02T00:00:00.000Z");
    expect(all).toEqual({ total: 12, groups: [{ receiptSeq: receipts[0], policy: "default", count: 12 }] });
    const part = await prunedInRange(env.ledger.db, "2023-01-01T00:00:05.000Z", "2023-01-01T00:00:08.000Z");
    expect(part.total).toBe(3);
    expect((await prunedInRange(env.ledger.db, "2024-01-01T00:00:00.000Z")).total).toBe(0);
    const s = await summarizeEvents(env.ledger, admin, {
      from: "2023-01-01T00:00:00.000Z",
      to: "2023-02-01T00:00:00.000Z",
    });
    expect(s.histogram.total).toBe(0);
    expect(s.pruned.total).toBe(12);
  });
});
