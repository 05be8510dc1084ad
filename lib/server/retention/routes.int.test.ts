import { afterEach, describe, expect, it } from "vitest";
import { freshLedger, sessionUser, testApi } from "@/test/support/stores.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";

// /api/v1/retention as mounted: admins only, clear errors, every change in the log.

const user = sessionUser;

const send = (method: string, path: string, body?: unknown) =>
  new Request(`http://ledger.test${path}`, {
    method,
    headers: { origin: "http://ledger.test", host: "ledger.test", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });

describe("retention API (sqlite)", () => {
  let env: Awaited<ReturnType<typeof freshLedger>>;
  afterEach(async () => env.cleanup());

  it("refuses auditors, refuses < 365 days without the acknowledgement, and logs policy and hold changes", async () => {
    env = await freshLedger("sqlite");
    const auditor = testApi(env.ledger, user("auditor")).retention;
    const admin = testApi(env.ledger, user("admin")).retention;
    expect((await auditor.get(send("GET", "/api/v1/retention"), ctx({}))).status).toBe(403);
    const put = (name: string, body: unknown) =>
      admin.putPolicy(send("PUT", `/api/v1/retention/policies/${name}`, body), ctx({ name }));
    const short = await put("payments", { filter: { service: "payments" }, days: 90 });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { detail: string }).detail).toMatch(/below the 365 days PCI DSS 10\.5\.1/);
    expect((await put("Bad Name", { days: 400 })).status).toBe(400);
    expect((await put("payments", { filter: { nope: 1 }, days: 400 })).status).toBe(400);
    expect(
      (await put("payments", { filter: { service: "payments" }, days: 90, belowPciAcknowledged: true })).status,
    ).toBe(200);
    const hold = await admin.postHold(
      send("POST", "/api/v1/retention/holds", { filter: { requester: "alice" }, reason: "subpoena", caseRef: "C-7" }),
      ctx({}),
    );
    expect(hold.status).toBe(201);
    const { id } = (await hold.json()) as { id: string };
    const rel = () => admin.releaseHold(send("POST", `/api/v1/retention/holds/${id}/release`, {}), ctx({ id }));
    expect((await rel()).status).toBe(200);
    expect((await rel()).status).toBe(409);
    const plan = await admin.postPrune(send("POST", "/api/v1/retention/prune", {}), ctx({}));
    expect(await plan.json()).toMatchObject({ dryRun: true, pruned: 0 });
    for (const action of ["retention.policy.set", "retention.hold.place", "retention.hold.release"]) {
      expect(await ownEntriesWithAction(env.ledger.db, action), action).toHaveLength(1);
    }
  });
});
