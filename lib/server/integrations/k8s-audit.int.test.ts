import fs from "node:fs";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, ingestRequest, sourceEntries, testApi } from "@/test/support/stores.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { SECRET_READ_EVENT } from "@/test/fixtures/k8s/expected.ts";

// POST /api/v1/k8s/audit through the real handler on real stores.

const fixture = fs.readFileSync(new URL("../../../test/fixtures/k8s/event-list.json", import.meta.url), "utf8");
const SOURCE = "k8s://prod-eu/kube-apiserver";
const admin = systemPrincipal("k8s-test@localhost");

describe.each(DIALECTS)("Kubernetes audit webhook on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let key: string;
  let routes: ReturnType<typeof testApi>;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_MAX_BODY_BYTES: "262144" }));
    ({ key } = await createIngestKey(ledger, admin, SOURCE));
    routes = testApi(ledger);
  });
  afterEach(async () => cleanup());

  const post = (
    body: string | Uint8Array,
    headers: Record<string, string> = {},
    auth: string | null = key,
    query = "",
  ) => routes.k8s.postAudit(ingestRequest(`http://127.0.0.1/api/v1/k8s/audit${query}`, body, headers, auth), {});
  const entries = async () => sourceEntries(ledger, SOURCE);

  it("stores ResponseComplete events, skips and counts the other stages", async () => {
    const r = await post(fixture, {}, key, "?cluster=prod-eu");
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({
      received: 10,
      accepted: 7,
      duplicates: 0,
      skipped: { count: 3, stages: { RequestReceived: 2, ResponseStarted: 1 } },
      rejected: [],
      rejectedCount: 0,
    });
    const stored = await entries();
    expect(stored).toHaveLength(7);
    expect(stored[0]).toMatchObject({ ...SECRET_READ_EVENT, source: SOURCE });
    expect(stored[0]!.attributes).toMatchObject({ "k8s.cluster.name": "prod-eu", "k8s.audit.level": "Metadata" });
    expect(stored[2]).toMatchObject({
      outcome: "denied",
      target: { id: "k8s://core/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef" },
    });
    expect(stored[3]).toMatchObject({ eventType: "execute", action: "create pods/exec" });
    // Kubernetes usernames are personal by default: the leaf holds a commitment, not the name (leaf v2).
    const raw = await ledger.db.get<{ requester_id: string; personal: string | null }>(
      "SELECT requester_id, personal FROM entries WHERE source = ? ORDER BY seq LIMIT 1",
      [SOURCE],
    );
    expect(raw?.requester_id).toBe("");
    expect(Object.keys(JSON.parse(raw?.personal ?? "{}") as object)).toContain("/requester/id");
  });

  it("a redelivered batch is all duplicates; a traceparent header sets correlationId", async () => {
    await post(fixture);
    const again = await post(fixture);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 7 });
    expect(await entries()).toHaveLength(7);

    const one = JSON.parse(fixture) as { items: Array<Record<string, unknown>> };
    one.items = [{ ...one.items[1]!, auditID: "11111111-2222-4333-8444-555555555555" }];
    const r = await post(JSON.stringify(one), {
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    expect(r.status).toBe(201);
    expect((await entries())[7]!.correlationId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("reports events it cannot map, per item, and stores the rest; accepts gzip", async () => {
    const list = JSON.parse(fixture) as { items: unknown[] };
    list.items.push({ stage: "ResponseComplete", verb: "get", auditID: "bad-1" }, "garbage");
    const r = await post(zlib.gzipSync(JSON.stringify(list)), { "content-encoding": "gzip" });
    expect(r.status).toBe(201);
    const body = await r.json();
    expect(body.accepted).toBe(7);
    expect(body.rejectedCount).toBe(2);
    expect(body.rejected[0]).toMatchObject({ index: 10, auditID: "bad-1" });
    expect(body.rejected[0].errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      "/items/10/user/username",
      "/items/10/requestReceivedTimestamp",
      "/items/10/objectRef",
    ]);
    expect(body.rejected[1]).toMatchObject({ index: 11 });
  });

  it("refuses what is not an EventList, malformed JSON, a gzip bomb and a missing key — storing nothing", async () => {
    for (const [body, status] of [
      ["{", 400],
      ['{"kind":"Event","apiVersion":"audit.k8s.io/v1"}', 400],
      ['{"kind":"EventList","apiVersion":"audit.k8s.io/v1beta1","items":[]}', 400],
      ['{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":{}}', 400],
    ] as const) {
      const r = await post(body);
      expect(r.status, body).toBe(status);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
    }
    const bomb = await post(zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024)), { "content-encoding": "gzip" });
    expect(bomb.status).toBe(413);
    expect((await post(fixture, {}, null)).status).toBe(401);
    expect((await post(fixture, { "content-type": "application/yaml" })).status).toBe(415);
    expect(await entries()).toHaveLength(0);
  });
});
