import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryLeafHash, toBase64 } from "@/lib/core/index.ts";
import { DIALECTS, event, freshLedger, ingestRequest, testApi } from "@/test/support/stores.ts";
import { CLI_SOURCE } from "../audit/audit-trail.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey, revokeIngestKey } from "./ingest-keys.ts";
import { enterIngest, inflightRequests, pendingEvents, withAdmission } from "./admission.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";

// POST /api/v1/events end to end through the real handler on a real store:
// every accepted event is a committed entry; every bad request stores nothing.

const admin = systemPrincipal("ingest-test@localhost");

/** Bad requests, each answered with a problem naming its field (`pointer`) and storing nothing. */
const BAD_INPUTS: Array<{
  name: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
  status: number;
  pointer?: string;
}> = [
  { name: "malformed JSON", body: "{", status: 400 },
  { name: "empty body", body: "", status: 400 },
  { name: "empty array", body: "[]", status: 400 },
  {
    name: "wrong content type",
    body: JSON.stringify(event()),
    headers: { "content-type": "text/plain" },
    status: 415,
  },
  { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0xff, 0x7d]), status: 400 },
  { name: "duplicate keys", body: '{"outcome":"success","outcome":"denied"}', status: 400 },
  { name: "nesting bomb", body: "[".repeat(60_000), status: 400 },
  { name: "unknown field", body: JSON.stringify(event({ admin: true })), status: 422, pointer: "/admin" },
  {
    name: "missing timestamp",
    body: JSON.stringify(event({ timestamp: undefined })),
    status: 422,
    pointer: "/timestamp",
  },
  { name: "bad eventType", body: JSON.stringify(event({ eventType: "DROP" })), status: 422, pointer: "/eventType" },
  { name: "wrong type", body: JSON.stringify(event({ outcome: 1 })), status: 422, pointer: "/outcome" },
  {
    name: "control char",
    body: JSON.stringify(event({ requester: { id: "svc\u0007" } })),
    status: 422,
    pointer: "/requester/id",
  },
  {
    name: "bidi override",
    body: JSON.stringify(event({ target: { id: "db://x\u202e" } })),
    status: 422,
    pointer: "/target/id",
  },
  {
    name: "lone surrogate",
    body: '{"timestamp":"2026-11-27T00:00:00Z","eventType":"read","requester":{"id":"a"},"target":{"id":"b"},"outcome":"success","reason":"\\ud800"}',
    status: 422,
    pointer: "/reason",
  },
  {
    name: "long requester",
    body: JSON.stringify(event({ requester: { id: "x".repeat(513) } })),
    status: 422,
    pointer: "/requester/id",
  },
  {
    name: "bad ip",
    body: JSON.stringify(event({ requester: { id: "a", ip: "300.1.1.1" } })),
    status: 422,
    pointer: "/requester/ip",
  },
  {
    name: "deep attributes",
    body: JSON.stringify(event({ attributes: { a: { b: { c: { d: { e: { f: 1 } } } } } } })),
    status: 422,
  },
  {
    name: "huge attributes",
    body: JSON.stringify(event({ attributes: { blob: "x".repeat(9000) } })),
    status: 422,
    pointer: "/attributes",
  },
  {
    name: "proto key",
    body: '{"timestamp":"2026-11-27T00:00:00Z","eventType":"read","requester":{"id":"a"},"target":{"id":"b"},"outcome":"success","attributes":{"__proto__":{"x":1}}}',
    status: 422,
  },
  { name: "too many items", body: JSON.stringify(Array.from({ length: 51 }, () => event())), status: 400 },
  {
    name: "bad traceparent",
    body: JSON.stringify(event({ correlationId: undefined })),
    headers: { traceparent: "00-zz-00-01" },
    status: 422,
    pointer: "/correlationId",
  },
];

describe.each(DIALECTS)("ingest on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let key: string;
  let routes: ReturnType<typeof testApi>;
  // Creating the key appends its meta-audit entry (source ledgerline:cli) first.
  let base: number;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect, {
      LEDGERLINE_MAX_BODY_BYTES: "65536",
      LEDGERLINE_MAX_BATCH: "50",
    }));
    key = (await createIngestKey(ledger, admin, "spiffe://test.example/ns/payments/sa/api")).key;
    routes = testApi(ledger);
    base = await ledger.prisma.entry.count();
  });
  afterEach(async () => cleanup());

  const post = (body: string | Uint8Array, headers: Record<string, string> = {}, auth: string | null = key) =>
    routes.events.post(ingestRequest("http://127.0.0.1/api/v1/events", body, headers, auth), {});
  // Traffic only: the meta-audit entries of key administration are not ingest.
  const count = async () => ledger.prisma.entry.count({ where: { source: { not: CLI_SOURCE } } });
  const rows = async () =>
    ledger.db.all<EntryRow>(`SELECT * FROM entries WHERE source <> '${CLI_SOURCE}' ORDER BY seq`);

  it("accepts one event, an array and NDJSON, and stores exactly what it acknowledged", async () => {
    const one = await post(JSON.stringify(event({ id: "one" })));
    expect(one.status).toBe(201);
    const oneBody = await one.json();
    expect(oneBody).toMatchObject({ accepted: [{ id: "one", seq: base + 1 }], duplicates: [] });

    const arr = await post(JSON.stringify([event({ id: "a1" }), event({ id: "a2" })]));
    expect(arr.status).toBe(201);
    const arrBody = await arr.json();
    expect(arrBody.accepted.map((a: { seq: number }) => a.seq)).toEqual([base + 2, base + 3]);

    const nd = await post([event({ id: "n1" }), event()].map((e) => JSON.stringify(e)).join("\n") + "\n", {
      "content-type": "application/x-ndjson",
    });
    expect(nd.status).toBe(201);
    const ndBody = await nd.json();
    expect(ndBody.accepted).toHaveLength(2);
    expect(ndBody.accepted[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const stored = await rows();
    expect(stored.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5].map((n) => base + n));
    const acked = [...oneBody.accepted, ...arrBody.accepted, ...ndBody.accepted];
    for (const r of stored) {
      const entry = rowToEntry(r);
      expect(entry.source).toBe("spiffe://test.example/ns/payments/sa/api");
      // The leaf hash is SHA-256(0x00 || JCS(entry)) of the entry rebuilt from its columns.
      expect(toBase64(entryLeafHash(entry))).toBe(toBase64(new Uint8Array(r.leaf_hash)));
      const ack = acked.find((a: { seq: number }) => a.seq === entry.seq);
      if (ack) expect(ack.leafHash).toBe(toBase64(new Uint8Array(r.leaf_hash)));
    }
  });

  it("normalizes the timestamp to UTC ms and takes correlationId from traceparent", async () => {
    const e = event({ timestamp: "2026-11-27T10:00:00.123456+02:00" });
    delete e.correlationId;
    const r = await post(JSON.stringify(e), { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(r.status).toBe(201);
    const [row] = await rows();
    expect(row!.ts).toBe("2026-11-27T08:00:00.123Z");
    expect(row!.correlation_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(row!.received_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("is idempotent by (source, id): same content is a duplicate with the original seq, different content a conflict", async () => {
    const e = event({ id: "evt-42" });
    expect((await post(JSON.stringify(e))).status).toBe(201);
    const dup = await post(JSON.stringify(e));
    expect(dup.status).toBe(200);
    expect(await dup.json()).toMatchObject({ accepted: [], duplicates: [{ id: "evt-42", seq: base + 1 }] });

    const conflict = await post(JSON.stringify({ ...e, outcome: "denied" }));
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("content-type")).toBe("application/problem+json");
    expect((await conflict.json()).errors[0]).toMatchObject({ pointer: "/id", seq: base + 1 });

    // A batch mixing a duplicate, a new event and an in-batch repeat.
    const fresh = event({ id: "evt-43" });
    const mixed = await post(JSON.stringify([e, fresh, fresh]));
    expect(mixed.status).toBe(201);
    expect(await mixed.json()).toMatchObject({
      accepted: [{ id: "evt-43", seq: base + 2 }],
      duplicates: [
        { id: "evt-42", seq: base + 1 },
        { id: "evt-43", seq: base + 2 },
      ],
    });

    // A batch with one conflicting item stores nothing at all.
    const bad = await post(JSON.stringify([event({ id: "evt-44" }), { ...fresh, reason: "changed" }]));
    expect(bad.status).toBe(409);
    expect((await bad.json()).errors).toEqual([expect.objectContaining({ index: 1, pointer: "/1/id", seq: base + 2 })]);
    expect(await count()).toBe(2);

    // The same id from another source is a different event.
    const other = (await createIngestKey(ledger, admin, "spiffe://test.example/ns/other/sa/x")).key;
    const r = await post(JSON.stringify(e), {}, other);
    expect(r.status).toBe(201);
    expect(await count()).toBe(3);
  });

  it("answers 401 for a missing, malformed, unknown or revoked key", async () => {
    const body = JSON.stringify(event());
    for (const auth of [
      null,
      "nope",
      "llk_aaaaaaaaaaaa_" + "A".repeat(43),
      key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"),
    ]) {
      const r = await post(body, {}, auth);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const k = await createIngestKey(ledger, admin, "spiffe://test.example/revoked");
    expect((await post(body, {}, k.key)).status).toBe(201);
    await revokeIngestKey(ledger, admin, k.id);
    expect((await post(body, {}, k.key)).status).toBe(401);
    expect(await count()).toBe(1);
  });

  it("rejects every kind of bad input with a problem naming the field, storing nothing", async () => {
    for (const c of BAD_INPUTS) {
      const r = await post(c.body, c.headers);
      expect(r.status, c.name).toBe(c.status);
      expect(r.headers.get("content-type"), c.name).toBe("application/problem+json");
      const p = await r.json();
      expect(p.status, c.name).toBe(c.status);
      expect(p.detail, c.name).toBeTruthy();
      if (c.pointer)
        expect(
          p.errors.map((e: { pointer: string }) => e.pointer),
          c.name,
        ).toContain(c.pointer);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // A batch with one bad item: per-item pointers, nothing stored.
    const r = await post(JSON.stringify([event(), event({ eventType: "nope" }), event()]));
    expect(r.status).toBe(422);
    expect((await r.json()).errors).toEqual([expect.objectContaining({ index: 1, pointer: "/1/eventType" })]);
    expect(await count()).toBe(0);
  });

  it("sheds load: 503 with Retry-After while the writer's queue is full, storing nothing, then accepts again", async () => {
    // Hold the queue full the way a burst does: events admitted and not yet written.
    let release!: () => void;
    const held = withAdmission(ledger, ledger.config.maxPendingEvents, () => new Promise<void>((r) => (release = r)));
    const refused = await post(JSON.stringify([event(), event()]));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/busy.*Nothing of this request was stored/);
    expect(await count()).toBe(0);
    release();
    await held;
    expect(pendingEvents(ledger)).toBe(0);
    expect((await post(JSON.stringify([event(), event()]))).status).toBe(201);
    expect(await count()).toBe(2);

    // Too many requests being served at once (a CPU-bound backlog): refused before the body is read.
    const releases = Array.from({ length: ledger.config.maxInflightRequests }, () => enterIngest(ledger));
    const busy = await post(JSON.stringify(event()));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    for (const r of releases) r();
    expect(inflightRequests(ledger)).toBe(0);
    expect((await post(JSON.stringify(event()))).status).toBe(201);
    expect(await count()).toBe(3);
  });

  it("enforces the body size limit itself, with or without Content-Length", async () => {
    const big = JSON.stringify(
      Array.from({ length: 40 }, () => event({ reason: "x".repeat(1000), attributes: { pad: "y".repeat(2000) } })),
    );
    expect(big.length).toBeGreaterThan(65536);
    const withLength = await post(big, { "content-length": String(Buffer.byteLength(big)) });
    expect(withLength.status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        const bytes = new TextEncoder().encode(big);
        for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192));
        c.close();
      },
    });
    const chunked = await routes.events.post(
      new Request("http://127.0.0.1/api/v1/events", {
        method: "POST",
        body: stream,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        duplex: "half",
      } as RequestInit),
      {},
    );
    expect(chunked.status).toBe(413);
    expect(await count()).toBe(0);
  });
});

describe("ingest rate limit", () => {
  it("answers 429 with Retry-After past the per-key rate and stores nothing of the refused batch", async () => {
    const { ledger, cleanup } = await freshLedger("sqlite", {
      LEDGERLINE_RATE_LIMIT: "5",
      LEDGERLINE_RATE_BURST: "10",
      LEDGERLINE_MAX_BATCH: "10",
    });
    try {
      // The limiter hangs off this test's own runtime: its settings, nobody else's buckets.
      const { key } = await createIngestKey(ledger, admin, "spiffe://test.example/flood");
      const routes = testApi(ledger);
      const send = (n: number) =>
        routes.events.post(
          new Request("http://127.0.0.1/api/v1/events", {
            method: "POST",
            body: JSON.stringify(Array.from({ length: n }, () => event())),
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          }),
          {},
        );
      expect((await send(10)).status).toBe(201);
      const r = await send(10);
      expect(r.status).toBe(429);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await ledger.prisma.entry.count({ where: { source: "spiffe://test.example/flood" } })).toBe(10);
    } finally {
      await cleanup();
    }
  });
});
