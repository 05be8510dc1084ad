import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeOtlpLogsJson } from "./otlp-json.ts";
import { OtlpDecodeError } from "./otlp-model.ts";
import { decodeOtlpLogsProtobuf, encodeOtlpLogsResponse } from "./otlp-protobuf.ts";

// The fixture bytes were produced by the official @opentelemetry/exporter-logs-otlp-proto
// (test/fixtures/otlp/generate-fixtures.ts), so the decoder is checked against the real encoder.
const proto = new Uint8Array(fs.readFileSync(new URL("../../../test/fixtures/otlp/logs.binpb", import.meta.url)));
const jsonText = fs.readFileSync(new URL("../../../test/fixtures/otlp/logs.json", import.meta.url), "utf8");

describe("OTLP protobuf decoder", () => {
  it("decodes every record the official exporter wrote, with resource, scope, times and ids", () => {
    const recs = decodeOtlpLogsProtobuf(proto);
    expect(recs).toHaveLength(6);
    const [first] = recs;
    expect(first!.resource["service.name"]).toBe("orders-api");
    expect(first!.resource["k8s.pod.name"]).toBe("orders-api-7d9f8b6c5-x2x7q");
    expect(first!.scope).toEqual({ name: "ledgerline-access", version: "1.0.0" });
    expect(first!.timeUnixNano).toBe(BigInt(Date.UTC(2026, 10, 20, 9, 30, 0, 120)) * 1_000_000n);
    expect(first!.observedTimeUnixNano).toBe(BigInt(Date.UTC(2026, 10, 20, 9, 30, 0, 123)) * 1_000_000n);
    expect(first!.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(first!.spanId).toBe("00f067aa0ba902b7");
    expect(first!.severityNumber).toBe(9);
    expect(first!.severityText).toBe("INFO");
    expect(first!.body).toBe("GET /v1/orders/8812 200");
    expect(first!.attributes["http.response.status_code"]).toBe(200);
    expect(first!.attributes["http.route"]).toBe("/v1/orders/{id}");
    expect(recs[4]!.traceId).toBeUndefined();
    expect(recs[5]!.attributes["log.record.uid"]).toBe("01JD3Q6ZP4W8Y1V5T9K2M7N0XR");
    expect(recs.every((r) => r.problems.length === 0)).toBe(true);
  });

  it("refuses truncated or garbage bytes instead of guessing", () => {
    expect(() => decodeOtlpLogsProtobuf(proto.subarray(0, proto.length - 7))).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpLogsProtobuf(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      OtlpDecodeError,
    );
    expect(() => decodeOtlpLogsProtobuf(new TextEncoder().encode('{"resourceLogs":[]}'))).toThrow(OtlpDecodeError);
    expect(decodeOtlpLogsProtobuf(new Uint8Array(0))).toEqual([]);
  });

  it("refuses AnyValue nesting past the cap without recursing into it", () => {
    // AnyValue{array_value{values[AnyValue{array_value{…}}]}} 40 levels deep inside a log record's body.
    let v: number[] = [0x0a, 0x00]; // AnyValue{string_value:""}
    for (let i = 0; i < 40; i++) {
      const arr = [0x0a, ...varint(v.length), ...v]; // ArrayValue.values
      v = [0x2a, ...varint(arr.length), ...arr];
    }
    const rec = [0x2a, ...varint(v.length), ...v]; // LogRecord.body
    const scope = [0x12, ...varint(rec.length), ...rec];
    const rl = [0x12, ...varint(scope.length), ...scope];
    const req = Uint8Array.from([0x0a, ...varint(rl.length), ...rl]);
    expect(() => decodeOtlpLogsProtobuf(req)).toThrow(/deeper than 32/);
  });

  it("encodes ExportLogsServiceResponse.partial_success", () => {
    expect(encodeOtlpLogsResponse(0, "")).toEqual(new Uint8Array(0));
    // field 1 (len 5) { field 1 varint 2; field 2 "ab" }
    expect(Array.from(encodeOtlpLogsResponse(2, "ab"))).toEqual([0x0a, 0x06, 0x08, 0x02, 0x12, 0x02, 0x61, 0x62]);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe("OTLP JSON decoder", () => {
  it("reads the OTLP/JSON fixture: hex ids (any case), int64 as strings or numbers, kvlist and arrays", () => {
    const recs = decodeOtlpLogsJson(jsonText);
    expect(recs).toHaveLength(6);
    expect(recs[0]!.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(recs[0]!.attributes["http.response.status_code"]).toBe(200);
    expect(recs[1]!.attributes["app.policy"]).toEqual({
      name: "orders-delete-admins-only",
      rules: ["role=admin", "9007199254740993"],
    });
    expect(recs[4]!.resource["service.name"]).toBe("payments-worker");
    expect(recs[4]!.timeUnixNano).toBe(0n);
    expect(recs[4]!.at).toEqual({ resource: 1, scope: 0, record: 0 });
    // base64 where OTLP/JSON requires hex: that record is rejected, not the request.
    expect(recs[5]!.problems[0]).toMatch(/traceId must be 32 hex digits/);
  });

  it("accepts snake_case field names and ignores unknown fields", () => {
    const recs = decodeOtlpLogsJson(
      JSON.stringify({
        resource_logs: [{ scope_logs: [{ log_records: [{ time_unix_nano: 5, future: 1, attributes: [] }] }] }],
        extra: true,
      }),
    );
    expect(recs).toHaveLength(1);
    expect(recs[0]!.timeUnixNano).toBe(5n);
  });

  it("refuses bodies that are not an ExportLogsServiceRequest", () => {
    for (const bad of [
      "",
      "[]",
      "{",
      '{"resourceLogs":{}}',
      '{"resourceLogs":[1]}',
      '{"a":1,"a":2}',
      "[".repeat(200) + "]".repeat(200),
    ]) {
      expect(() => decodeOtlpLogsJson(bad), bad.slice(0, 20)).toThrow(OtlpDecodeError);
    }
    expect(decodeOtlpLogsJson("{}")).toEqual([]);
  });
});
