import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { SAMPLE_READ_EVENT } from "@/test/fixtures/otlp/sample-logs.ts";
import { decodeOtlpLogsJson } from "./otlp-json.ts";
import { dict, type JsonValue, type OtlpLogRecord } from "./otlp-model.ts";
import { dbEventType, mapOtlpRecord, otlpRecordId } from "./otlp-mapping.ts";
import { decodeOtlpLogsProtobuf } from "./otlp-protobuf.ts";

const proto = new Uint8Array(fs.readFileSync(new URL("../../../test/fixtures/otlp/logs.binpb", import.meta.url)));
const jsonRecs = decodeOtlpLogsJson(
  fs.readFileSync(new URL("../../../test/fixtures/otlp/logs.json", import.meta.url), "utf8"),
);

function rec(attributes: Record<string, JsonValue>, over: Partial<OtlpLogRecord> = {}): OtlpLogRecord {
  return {
    at: { resource: 0, scope: 0, record: 0 },
    resource: Object.assign(dict<JsonValue>(), { "service.name": "orders-api" }),
    scope: {},
    timeUnixNano: 1_795_685_400_120_000_000n,
    observedTimeUnixNano: 0n,
    attributes: Object.assign(dict<JsonValue>(), attributes),
    problems: [],
    ...over,
  };
}

const mapOk = (r: OtlpLogRecord) => {
  const m = mapOtlpRecord(r);
  if (!m.ok) throw new Error(m.reason);
  const v = validateEvent(m.event, { now: new Date("2026-11-27T00:00:00Z") });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.event;
};

describe("OTLP record → access event", () => {
  it("maps the SDK-produced records; every mapped event passes validateEvent", () => {
    const recs = decodeOtlpLogsProtobuf(proto);
    const [read, denied, clientFail, db, notAccess, redis] = recs;
    expect(mapOk(read!)).toMatchObject({
      timestamp: "2026-11-20T09:30:00.120Z",
      ...SAMPLE_READ_EVENT,
    });
    expect(mapOk(read!).attributes).toMatchObject({
      "http.route": "/v1/orders/{id}",
      "log.body": "GET /v1/orders/8812 200",
      "otel.severity": "INFO",
    });
    expect(mapOk(denied!)).toMatchObject({
      eventType: "delete",
      requester: { id: "alice@example.com", type: "user", ip: "2001:db8::17" },
      outcome: "denied",
      reason: "PolicyDenied",
    });
    expect(mapOk(clientFail!)).toMatchObject({
      eventType: "write",
      requester: { id: "orders-api", type: "service" },
      target: { id: "https://payments.internal:8443/v1/charges", service: "payments", type: "api" },
      action: "POST /v1/charges",
      outcome: "failure",
    });
    expect(mapOk(db!)).toMatchObject({
      eventType: "read",
      requester: { id: "orders-api" },
      target: { id: "db://payments-pg:5432/cardholder/cards", service: "payments-pg", type: "db" },
      action: "SELECT cards",
      correlationId: "0af7651916cd43dd8448eb211c80319c",
    });
    const na = mapOtlpRecord(notAccess!);
    expect(na.ok).toBe(false);
    expect(!na.ok && na.reason).toMatch(/does not describe an access/);
    expect(mapOk(redis!)).toMatchObject({
      id: "01JD3Q6ZP4W8Y1V5T9K2M7N0XR",
      eventType: "write",
      target: { id: "db://sessions-redis/0" },
    });
  });

  it("JSON: observed time stands in for an unset time; a bad trace id rejects only its record", () => {
    expect(mapOk(jsonRecs[4]!)).toMatchObject({
      timestamp: "2026-11-26T09:30:04.000Z",
      eventType: "write",
      requester: { id: "payments-worker" },
    });
    const bad = mapOtlpRecord(jsonRecs[5]!);
    expect(bad.ok).toBe(false);
    // Newlines in the body stay in attributes (allowed there), not in identifiers.
    expect(mapOk(jsonRecs[2]!).attributes!["log.body"]).toBe("charge failed\nupstream reset");
  });

  it("ids are deterministic: the same record always maps to the same id, a changed one to another", () => {
    const a = rec({ "http.request.method": "GET", "url.path": "/x", "enduser.id": "svc" });
    expect(otlpRecordId(a)).toBe(
      otlpRecordId(rec({ "http.request.method": "GET", "url.path": "/x", "enduser.id": "svc" })),
    );
    expect(otlpRecordId(a)).not.toBe(
      otlpRecordId(rec({ "http.request.method": "GET", "url.path": "/y", "enduser.id": "svc" })),
    );
    expect(otlpRecordId(a)).toMatch(/^otlp-[0-9a-f]{40}$/);
  });

  it("outcome: 401/403 and gRPC 7/16 denied; other ≥ 400, gRPC errors, error.type, ERROR severity failure", () => {
    const base = { "http.request.method": "GET", "url.path": "/x", "enduser.id": "svc" };
    const outcome = (a: Record<string, JsonValue>, over: Partial<OtlpLogRecord> = {}) =>
      mapOk(rec({ ...base, ...a }, over)).outcome;
    expect(outcome({ "http.response.status_code": 401 })).toBe("denied");
    expect(outcome({ "http.status_code": 403 })).toBe("denied");
    expect(outcome({ "http.response.status_code": 404 })).toBe("failure");
    expect(outcome({ "http.response.status_code": 503 })).toBe("failure");
    expect(outcome({ "http.response.status_code": 204 })).toBe("success");
    expect(outcome({ "error.type": "timeout" })).toBe("failure");
    expect(outcome({}, { severityNumber: 17 })).toBe("failure");
    expect(
      mapOk(
        rec({
          "rpc.method": "Charge",
          "rpc.service": "payments.v1.Payments",
          "rpc.system": "grpc",
          "rpc.grpc.status_code": 7,
        }),
      ).outcome,
    ).toBe("denied");
    expect(mapOk(rec({ "rpc.method": "Charge", "rpc.grpc.status_code": 14 })).outcome).toBe("failure");
  });

  it("eventType from HTTP method and DB operation", () => {
    const et = (m: string) => mapOk(rec({ "http.request.method": m, "url.path": "/x", "enduser.id": "svc" })).eventType;
    expect(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT"].map(et)).toEqual([
      "read",
      "read",
      "write",
      "modify",
      "modify",
      "delete",
      "execute",
    ]);
    expect(
      [
        "select * from t",
        "INSERT INTO t",
        "update t set",
        "DELETE FROM t",
        "hgetall",
        "findOneAndUpdate",
        "CALL proc()",
      ].map(dbEventType),
    ).toEqual(["read", "write", "modify", "delete", "read", "modify", "execute"]);
  });

  it("rejects with a reason when it cannot tell who or when", () => {
    const noWho = mapOtlpRecord(rec({ "http.request.method": "GET", "url.path": "/x" }));
    expect(!noWho.ok && noWho.reason).toMatch(/who made the request/);
    const noWhen = mapOtlpRecord(rec({ "db.system.name": "redis", "db.operation.name": "GET" }, { timeUnixNano: 0n }));
    expect(!noWhen.ok && noWhen.reason).toMatch(/timeUnixNano/);
  });

  it("keeps attributes within 8 KiB / depth 5, naming what it dropped", () => {
    let deep: JsonValue = "leaf";
    for (let i = 0; i < 8; i++) deep = { d: deep };
    const e = mapOk(
      rec(
        { "db.system.name": "redis", "db.operation.name": "GET", huge: "x".repeat(20_000), deep },
        { body: "y".repeat(3000) },
      ),
    );
    const attrs = e.attributes!;
    expect(Buffer.byteLength(JSON.stringify(attrs))).toBeLessThanOrEqual(8192);
    expect(attrs["ledgerline.dropped"]).toEqual(["log.body", "huge"]);
    // attributes (1) > deep (2) > d (3) > d (4) > d (5); the next container is stored as its JSON text.
    const deepest = (attrs.deep as { d: { d: { d: { d: unknown } } } }).d.d.d;
    expect(typeof deepest).toBe("object");
    expect(typeof deepest.d).toBe("string");
  });
});
