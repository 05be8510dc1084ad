import { beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, eachFreshLedger, testApi, type Dialect } from "@/test/support/stores.ts";
import { otlpLogsProtobuf, type OtlpAttr } from "@/test/support/otlp-protobuf.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "./ingest-keys.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";

// Security regression (issue 13 item 8, silent changes on ingest):
// - `1.00000000000000000001` in attributes was stored as `1` (JSON.parse rounds to the
//   nearest double), so the entry did not hold what the service sent — and a later `1`
//   with the same id counted as a duplicate of it. Numbers that do not survive the round
//   trip text → stored number exactly are now refused (422 naming the pointer), as
//   integers beyond 2^53 already were.
// - An OTLP record with two attributes of the same key kept the last one and answered
//   200 `{}`. It is now reported as a rejected record in the partial-success body, for
//   OTLP/JSON and OTLP/protobuf alike.

const SOURCE = "spiffe://test.example/ns/shop/sa/orders";
const admin = systemPrincipal("silent-test@localhost");

const EVENT = (attrs: string, id = "n1") =>
  `{"id":"${id}","timestamp":"2026-11-27T10:00:00Z","eventType":"read","requester":{"id":"svc-a"},` +
  `"target":{"id":"db://x/t"},"outcome":"success","attributes":${attrs}}`;

/** A fresh store per test with an ingest key for SOURCE (`fresh.key`). */
function eachKeyedLedger(dialect: Dialect) {
  const fresh = eachFreshLedger(dialect) as ReturnType<typeof eachFreshLedger> & { key: string };
  beforeEach(async () => {
    fresh.key = (await createIngestKey(fresh.ledger, admin, SOURCE)).key;
  });
  return fresh;
}

describe.each(DIALECTS)("numbers that would change on %s", (dialect) => {
  const fresh = eachKeyedLedger(dialect);

  const post = (body: string, type = "application/json") =>
    testApi(fresh.ledger).events.post(
      new Request("http://x/api/v1/events", {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${fresh.key}`, "content-type": type },
      }),
      {},
    );
  const stored = async () =>
    (await fresh.ledger.db.all<EntryRow>("SELECT * FROM entries WHERE source = ? ORDER BY seq", [SOURCE])).map(
      rowToEntry,
    );

  it("refuses a number that JSON.parse would round, naming its pointer, and stores nothing", async () => {
    const r = await post(EVENT('{"x":1.00000000000000000001}'));
    expect(r.status).toBe(422);
    const body = await r.json();
    expect(body.errors).toEqual([
      {
        pointer: "/attributes/x",
        detail: expect.stringContaining("1.00000000000000000001 would be stored as 1"),
      },
    ]);
    expect(await stored()).toEqual([]);
    // The same id with the number it would have become is new, not a "duplicate" of an altered entry.
    const again = await post(EVENT('{"x":1}'));
    expect(again.status).toBe(201);
    expect((await again.json()).accepted).toHaveLength(1);
  });

  it("names each rounded number by item and pointer in arrays and NDJSON", async () => {
    const arr = await post(`[${EVENT('{"a":0.5}', "a0")},${EVENT('{"a":[0.1,1e-400,{"b":9007199254740993}]}', "a1")}]`);
    expect(arr.status).toBe(422);
    const errs = (await arr.json()).errors as Array<{ pointer: string; detail: string }>;
    expect(errs.map((e) => e.pointer).sort()).toEqual(["/1/attributes/a/1", "/1/attributes/a/2/b"]);
    expect(errs.find((e) => e.pointer === "/1/attributes/a/1")!.detail).toContain("1e-400 would be stored as 0");
    const nd = await post(
      `${EVENT('{"a":1}', "l1")}\n${EVENT('{"a":123456789.123456789123}', "l2")}\n`,
      "application/x-ndjson",
    );
    expect(nd.status).toBe(422);
    expect((await nd.json()).errors).toEqual([
      expect.objectContaining({ index: 1, line: 2, pointer: "/1/attributes/a" }),
    ]);
    expect(await stored()).toEqual([]);
  });

  it("keeps every number that round-trips exactly, whatever its spelling", async () => {
    const r = await post(
      EVENT(
        '{"a":0.1,"b":1e2,"c":1.50,"d":-0,"e":5e-324,"f":2.2250738585072014e-308,"g":123456.789,"h":1E-7,"i":100.000}',
      ),
    );
    expect(r.status).toBe(201);
    expect((await stored())[0]!.attributes).toEqual({
      a: 0.1,
      b: 100,
      c: 1.5,
      d: 0,
      e: 5e-324,
      f: 2.2250738585072014e-308,
      g: 123456.789,
      h: 1e-7,
      i: 100,
    });
  });
});

// ---- OTLP: duplicate attribute keys ----

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
function otlpJson(records: Array<Array<{ key: string; value: Record<string, unknown> }>>) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [kv("service.name", { stringValue: "orders-api" })] },
        scopeLogs: [
          {
            logRecords: records.map((attributes, i) => ({
              timeUnixNano: String(1795685400120000000n + BigInt(i) * 1000000n),
              attributes: [
                kv("http.request.method", { stringValue: "GET" }),
                kv("http.route", { stringValue: `/v1/orders/${i}` }),
                kv("enduser.id", { stringValue: "spiffe://prod.example/ns/shop/sa/checkout" }),
                ...attributes,
              ],
            })),
          },
        ],
      },
    ],
  });
}

// The same request as protobuf (test/support/otlp-protobuf.ts writes it by hand).
function otlpProtobuf(records: OtlpAttr[][]): Uint8Array {
  return otlpLogsProtobuf(
    records.map((attrs, i) => ({
      timeUnixNano: 1795685400120000000n + BigInt(i) * 1000000n,
      attrs: [
        ["http.request.method", "GET"],
        ["http.route", `/v1/orders/${i}`],
        ["enduser.id", "spiffe://prod.example/ns/shop/sa/checkout"],
        ...attrs,
      ],
    })),
  );
}
function readPartialSuccess(b: Uint8Array): { rejected: number; message: string } {
  // ExportLogsServiceResponse { 1: partial_success { 1: rejected_log_records, 2: error_message } }
  let rejected = 0;
  let message = "";
  let i = 2; // 0x0a + one-byte length for these small answers… or more: read the varint
  i = 1;
  while (b[i]! & 0x80) i++;
  i++;
  while (i < b.length) {
    const tag = b[i++]!;
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const x = b[i++]!;
      v |= BigInt(x & 0x7f) << shift;
      shift += 7n;
      if (!(x & 0x80)) break;
    }
    if (tag === 0x08) rejected = Number(v);
    else if (tag === 0x12) {
      message = new TextDecoder().decode(b.subarray(i, i + Number(v)));
      i += Number(v);
    }
  }
  return { rejected, message };
}

describe.each(DIALECTS)("OTLP records with a repeated attribute key on %s", (dialect) => {
  const fresh = eachKeyedLedger(dialect);

  const post = (body: string | Uint8Array, type: string) =>
    testApi(fresh.ledger).otlp.postLogs(
      new Request("http://x/api/v1/otlp/v1/logs", {
        method: "POST",
        body: body as BodyInit,
        headers: { authorization: `Bearer ${fresh.key}`, "content-type": type },
      }),
      {},
    );
  const count = () => fresh.ledger.prisma.entry.count({ where: { source: SOURCE } });

  it("OTLP/JSON: the record is rejected in the partial-success body, the others stored", async () => {
    const r = await post(
      otlpJson([
        [kv("http.response.status_code", { intValue: "200" })],
        [kv("http.response.status_code", { intValue: "200" }), kv("http.response.status_code", { intValue: "403" })],
        [
          kv("n", { doubleValue: 1.5 }),
          kv("m", { kvlistValue: { values: [kv("a", { intValue: 1 }), kv("a", { intValue: 2 })] } }),
        ],
      ]),
      "application/json",
    );
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.partialSuccess.rejectedLogRecords).toBe(2);
    expect(body.partialSuccess.errorMessage).toContain(
      'logRecords[1]: attributes has the key "http.response.status_code" more than once',
    );
    expect(body.partialSuccess.errorMessage).toContain(
      'logRecords[2]: attributes[4].value.kvlistValue has the key "a" more than once',
    );
    expect(await count()).toBe(1);
  });

  it("OTLP/JSON: a doubleValue or intValue that JSON would round is a rejected record too", async () => {
    const r = await post(
      otlpJson([[kv("x", { doubleValue: 1.00000000000000000001 })].map(() => kv("x", { doubleValue: 0 }))]).replace(
        '"doubleValue":0',
        '"doubleValue":1.00000000000000000001',
      ),
      "application/json",
    );
    const body = await r.json();
    expect(body.partialSuccess?.rejectedLogRecords).toBe(1);
    expect(body.partialSuccess.errorMessage).toContain("1.00000000000000000001 would be stored as 1");
    expect(await count()).toBe(0);
  });

  it("OTLP/protobuf: the same, in the protobuf response", async () => {
    const r = await post(
      otlpProtobuf([
        [["http.response.status_code", 200n]],
        [
          ["http.response.status_code", 200n],
          ["http.response.status_code", 403n],
        ],
      ]),
      "application/x-protobuf",
    );
    expect(r.status).toBe(200);
    const ps = readPartialSuccess(new Uint8Array(await r.arrayBuffer()));
    expect(ps.rejected).toBe(1);
    expect(ps.message).toContain('logRecords[1]: attributes has the key "http.response.status_code" more than once');
    expect(await count()).toBe(1);
  });

  it("a repeated resource attribute rejects every record under that resource", async () => {
    const body = JSON.parse(otlpJson([[], []]));
    body.resourceLogs[0].resource.attributes.push(kv("service.name", { stringValue: "payments-api" }));
    const r = await post(JSON.stringify(body), "application/json");
    const j = await r.json();
    expect(j.partialSuccess.rejectedLogRecords).toBe(2);
    expect(j.partialSuccess.errorMessage).toContain('resource.attributes has the key "service.name" more than once');
    expect(await count()).toBe(0);
  });
});
