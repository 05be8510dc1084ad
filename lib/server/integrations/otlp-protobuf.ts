// A minimal protobuf wire decoder for the OTLP logs messages Ledgerline reads
// (opentelemetry-proto v1: collector/logs/v1/logs_service.proto, logs/v1/logs.proto,
// common/v1/common.proto, resource/v1/resource.proto), and the encoder of the one
// response message; the wire-format reader and varint writer are in protobuf-wire.ts. Hand-written instead of a protobuf runtime: six messages, no
// codegen, no dependency, and every length is checked against the buffer so a
// hostile body costs at most its own size (nesting is capped, nothing recurses unbounded).
//
// Field numbers used (everything else is skipped, as protobuf requires):
//   ExportLogsServiceRequest  1 resource_logs (repeated ResourceLogs)
//   ResourceLogs              1 resource (Resource), 2 scope_logs (repeated ScopeLogs)
//   Resource                  1 attributes (repeated KeyValue)
//   ScopeLogs                 1 scope (InstrumentationScope), 2 log_records (repeated LogRecord)
//   InstrumentationScope      1 name, 2 version
//   LogRecord                 1 time_unix_nano (fixed64), 2 severity_number, 3 severity_text,
//                             5 body (AnyValue), 6 attributes, 9 trace_id (bytes),
//                             10 span_id (bytes), 11 observed_time_unix_nano (fixed64), 12 event_name
//   KeyValue                  1 key, 2 value (AnyValue)
//   AnyValue                  1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes
//   ArrayValue / KeyValueList 1 values (repeated)
//   ExportLogsServiceResponse 1 partial_success { 1 rejected_log_records (int64), 2 error_message }

import {
  MAX_ANY_VALUE_DEPTH,
  OtlpDecodeError,
  dict,
  doubleToJson,
  int64ToJson,
  toHex,
  type JsonValue,
  type OtlpLogRecord,
} from "./otlp-model.ts";
import { Reader, expectWire, varintBytes } from "./protobuf-wire.ts";

/**
 * Repeated keys found while decoding (`where` + key): a KeyValue list holding one key
 * twice cannot be stored without silently dropping a value, so its record is rejected.
 */
type Dupes = string[];

function anyValue(r: Reader, depth: number, dupes: Dupes, where: string): JsonValue | undefined {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new OtlpDecodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  let v: JsonValue | undefined;
  r.fields((f, wt) => {
    switch (f) {
      case 1:
        expectWire(wt, 2, "AnyValue.string_value");
        v = r.string();
        return true;
      case 2:
        expectWire(wt, 0, "AnyValue.bool_value");
        v = r.varint() !== 0n;
        return true;
      case 3:
        expectWire(wt, 0, "AnyValue.int_value");
        v = int64ToJson(BigInt.asIntN(64, r.varint()));
        return true;
      case 4:
        expectWire(wt, 1, "AnyValue.double_value");
        v = doubleToJson(r.double());
        return true;
      case 5: {
        expectWire(wt, 2, "AnyValue.array_value");
        const arr: JsonValue[] = [];
        const a = r.sub();
        a.fields((af, awt) => {
          if (af !== 1) return false;
          expectWire(awt, 2, "ArrayValue.values");
          arr.push(anyValue(a.sub(), depth + 1, dupes, `${where}.array_value.values[${arr.length}]`) ?? null);
          return true;
        });
        v = arr;
        return true;
      }
      case 6:
        expectWire(wt, 2, "AnyValue.kvlist_value");
        v = keyValues(r.sub(), 1, depth + 1, dupes, `${where}.kvlist_value`);
        return true;
      case 7:
        expectWire(wt, 2, "AnyValue.bytes_value");
        v = Buffer.from(r.bytes()).toString("base64");
        return true;
      default:
        return false;
    }
  });
  return v;
}

/** Reads the repeated KeyValue field `field` of the message in `r` into an object. */
function keyValues(
  r: Reader,
  field: number,
  depth: number,
  dupes: Dupes,
  where: string,
  into = dict<JsonValue>(),
): Record<string, JsonValue> {
  let i = 0;
  r.fields((f, wt) => {
    if (f !== field) return false;
    expectWire(wt, 2, "KeyValue");
    keyValue(r.sub(), depth, into, dupes, where, i++);
    return true;
  });
  return into;
}

function keyValue(kv: Reader, depth: number, into: Record<string, JsonValue>, dupes: Dupes, where: string, i: number) {
  let key = "";
  let value: JsonValue | undefined;
  kv.fields((f, wt) => {
    if (f === 1) {
      expectWire(wt, 2, "KeyValue.key");
      key = kv.string();
      return true;
    }
    if (f === 2) {
      expectWire(wt, 2, "KeyValue.value");
      value = anyValue(kv.sub(), depth, dupes, `${where}[${i}].value`);
      return true;
    }
    return false;
  });
  if (Object.hasOwn(into, key)) {
    dupes.push(
      `${where} has the key ${JSON.stringify(key)} more than once (OTLP allows one value per key; keeping either would silently drop the other)`,
    );
    return;
  }
  // An empty AnyValue is OTLP's "null"; keep the key so nothing sent is lost.
  into[key] = value ?? null;
}

function logRecord(
  r: Reader,
  base: Omit<OtlpLogRecord, "timeUnixNano" | "observedTimeUnixNano" | "attributes" | "problems">,
): OtlpLogRecord {
  const rec: OtlpLogRecord = { ...base, timeUnixNano: 0n, observedTimeUnixNano: 0n, attributes: dict(), problems: [] };
  let attributeIndex = 0;
  r.fields((f, wt) => {
    switch (f) {
      case 1:
        expectWire(wt, 1, "LogRecord.time_unix_nano");
        rec.timeUnixNano = r.fixed64();
        return true;
      case 2:
        expectWire(wt, 0, "LogRecord.severity_number");
        rec.severityNumber = r.uint32();
        return true;
      case 3:
        expectWire(wt, 2, "LogRecord.severity_text");
        rec.severityText = r.string();
        return true;
      case 5: {
        expectWire(wt, 2, "LogRecord.body");
        const b = anyValue(r.sub(), 1, rec.problems, "body");
        if (b !== undefined) rec.body = b;
        return true;
      }
      case 6:
        expectWire(wt, 2, "LogRecord.attributes");
        keyValue(r.sub(), 1, rec.attributes, rec.problems, "attributes", attributeIndex++);
        return true;
      case 9: {
        expectWire(wt, 2, "LogRecord.trace_id");
        const id = r.bytes();
        if (id.length === 16) {
          const hex = toHex(id);
          if (!/^0+$/.test(hex)) rec.traceId = hex;
        } else if (id.length !== 0) rec.problems.push(`trace_id has ${id.length} bytes, OTLP requires 16`);
        return true;
      }
      case 10: {
        expectWire(wt, 2, "LogRecord.span_id");
        const id = r.bytes();
        if (id.length === 8) rec.spanId = toHex(id);
        else if (id.length !== 0) rec.problems.push(`span_id has ${id.length} bytes, OTLP requires 8`);
        return true;
      }
      case 11:
        expectWire(wt, 1, "LogRecord.observed_time_unix_nano");
        rec.observedTimeUnixNano = r.fixed64();
        return true;
      case 12:
        expectWire(wt, 2, "LogRecord.event_name");
        rec.eventName = r.string();
        return true;
      default:
        return false;
    }
  });
  return rec;
}

/** Decodes an ExportLogsServiceRequest; throws OtlpDecodeError when the bytes are not one. */
export function decodeOtlpLogsProtobuf(buf: Uint8Array): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  const top = new Reader(buf, 0, buf.length);
  let ri = 0;
  top.fields((f, wt) => {
    if (f !== 1) return false;
    expectWire(wt, 2, "ExportLogsServiceRequest.resource_logs");
    const rl = top.sub();
    let resource = dict<JsonValue>();
    // Repeated resource keys reject every record of the resource (they feed each one).
    const resourceDupes: Dupes = [];
    const scopes: Reader[] = [];
    rl.fields((rf, rwt) => {
      if (rf === 1) {
        expectWire(rwt, 2, "ResourceLogs.resource");
        resource = keyValues(rl.sub(), 1, 1, resourceDupes, "resource.attributes");
        return true;
      }
      if (rf === 2) {
        expectWire(rwt, 2, "ResourceLogs.scope_logs");
        scopes.push(rl.sub()); // resource may come after its scope_logs on the wire
        return true;
      }
      return false;
    });
    scopes.forEach((sl, si) => {
      const scope: OtlpLogRecord["scope"] = {};
      const records: Reader[] = [];
      sl.fields((sf, swt) => {
        if (sf === 1) {
          expectWire(swt, 2, "ScopeLogs.scope");
          const sc = sl.sub();
          sc.fields((cf, cwt) => {
            if (cf === 1 || cf === 2) {
              expectWire(cwt, 2, "InstrumentationScope.name/version");
              const s = sc.string();
              if (s) scope[cf === 1 ? "name" : "version"] = s;
              return true;
            }
            return false;
          });
          return true;
        }
        if (sf === 2) {
          expectWire(swt, 2, "ScopeLogs.log_records");
          records.push(sl.sub());
          return true;
        }
        return false;
      });
      records.forEach((lr, li) => {
        const rec = logRecord(lr, { at: { resource: ri, scope: si, record: li }, resource, scope });
        rec.problems.push(...resourceDupes);
        out.push(rec);
      });
    });
    ri++;
    return true;
  });
  return out;
}

// ---- response encoding ----

/** ExportLogsServiceResponse; an empty message when nothing was rejected. */
export function encodeOtlpLogsResponse(rejected: number, errorMessage: string): Uint8Array {
  if (rejected === 0 && errorMessage === "") return new Uint8Array(0);
  const msg = new TextEncoder().encode(errorMessage);
  const inner = [
    ...(rejected ? [0x08, ...varintBytes(BigInt(rejected))] : []),
    ...(msg.length ? [0x12, ...varintBytes(BigInt(msg.length)), ...msg] : []),
  ];
  return Uint8Array.from([0x0a, ...varintBytes(BigInt(inner.length)), ...inner]);
}
