// OTLP/JSON logs decoder (OTLP spec "JSON Protobuf Encoding"): the proto3 JSON mapping with
// OTLP's deviations — traceId/spanId are hex strings, enums are integers. Field names are
// read in lowerCamelCase and, as any proto3 JSON parser does, in their original snake_case.
// Unknown fields are ignored (the spec requires it, for forward compatibility).
//
// A body whose envelope is not an ExportLogsServiceRequest (not an object, resourceLogs
// not an array, …) is refused as a whole (400). A problem inside one log record (a trace id
// of the wrong length, an intValue that is not an integer) only rejects that record, which
// is then counted in the partial-success response.

import { isExactNumber, scanJson, type InexactNumber } from "@/lib/server/ingest/parse/json-scan.ts";
import { inexactNumberDetail } from "@/lib/server/ingest/parse/parse-body.ts";
import {
  MAX_ANY_VALUE_DEPTH,
  OtlpDecodeError,
  dict,
  doubleToJson,
  int64ToJson,
  type JsonValue,
  type OtlpLogRecord,
} from "./otlp-model.ts";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function get(o: Obj, camel: string, snake?: string): unknown {
  if (Object.hasOwn(o, camel)) return o[camel];
  if (snake !== undefined && Object.hasOwn(o, snake)) return o[snake];
  return undefined;
}

/** A repeated field: absent → [], an array → itself, anything else → decode error. */
function list(o: Obj, camel: string, snake: string, where: string): unknown[] {
  const v = get(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where}.${camel} must be an array`);
  return v;
}

class RecordProblem extends Error {}
/** The same key twice in one KeyValue list: JSON's last-wins would silently drop a value. */
class DuplicateKeyProblem extends RecordProblem {}

function int64(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) {
    const b = BigInt(v);
    if (b >= -(2n ** 63n) && b < 2n ** 64n) return b;
  }
  throw new RecordProblem(`${what} must be an integer (a JSON number or decimal string)`);
}

function anyValue(v: unknown, depth: number, what: string): JsonValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new OtlpDecodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  if (v === null || v === undefined) return null;
  if (!isObj(v)) throw new RecordProblem(`${what} must be an AnyValue object`);
  if (Object.hasOwn(v, "stringValue") || Object.hasOwn(v, "string_value")) {
    const s = get(v, "stringValue", "string_value");
    if (typeof s !== "string") throw new RecordProblem(`${what}.stringValue must be a string`);
    return s;
  }
  if (Object.hasOwn(v, "boolValue") || Object.hasOwn(v, "bool_value")) {
    const b = get(v, "boolValue", "bool_value");
    if (typeof b !== "boolean") throw new RecordProblem(`${what}.boolValue must be a boolean`);
    return b;
  }
  if (Object.hasOwn(v, "intValue") || Object.hasOwn(v, "int_value")) {
    return int64ToJson(BigInt.asIntN(64, int64(get(v, "intValue", "int_value"), `${what}.intValue`)));
  }
  if (Object.hasOwn(v, "doubleValue") || Object.hasOwn(v, "double_value")) {
    const d = get(v, "doubleValue", "double_value");
    if (typeof d === "number") return doubleToJson(d);
    if (d === "NaN" || d === "Infinity" || d === "-Infinity") return d;
    if (typeof d === "string" && d.trim() !== "" && Number.isFinite(Number(d))) {
      // proto3 JSON allows a double as a string; it must not round any more than a JSON number may.
      if (!isExactNumber(d.trim())) {
        throw new RecordProblem(`${what}.doubleValue: ${inexactNumberDetail({ text: d.trim(), parsed: Number(d) })}`);
      }
      return Number(d);
    }
    throw new RecordProblem(`${what}.doubleValue must be a number`);
  }
  if (Object.hasOwn(v, "bytesValue") || Object.hasOwn(v, "bytes_value")) {
    const b = get(v, "bytesValue", "bytes_value");
    if (typeof b !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b))
      throw new RecordProblem(`${what}.bytesValue must be base64`);
    return Buffer.from(b, "base64").toString("base64");
  }
  if (Object.hasOwn(v, "arrayValue") || Object.hasOwn(v, "array_value")) {
    const a = get(v, "arrayValue", "array_value");
    if (!isObj(a)) throw new RecordProblem(`${what}.arrayValue must be an object`);
    const values = get(a, "values") ?? [];
    if (!Array.isArray(values)) throw new RecordProblem(`${what}.arrayValue.values must be an array`);
    return values.map((x, i) => anyValue(x, depth + 1, `${what}.arrayValue.values[${i}]`));
  }
  if (Object.hasOwn(v, "kvlistValue") || Object.hasOwn(v, "kvlist_value")) {
    const kl = get(v, "kvlistValue", "kvlist_value");
    if (!isObj(kl)) throw new RecordProblem(`${what}.kvlistValue must be an object`);
    return keyValues(kl, depth + 1, `${what}.kvlistValue`, "values", "values");
  }
  return null; // an empty AnyValue is OTLP's "null"
}

function keyValues(
  o: Obj,
  depth: number,
  where: string,
  camel = "attributes",
  snake = "attributes",
): Record<string, JsonValue> {
  const out = dict<JsonValue>();
  const v = get(o, camel, snake);
  const at = (suffix: string) => (where ? `${where}.${suffix}` : suffix);
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new RecordProblem(`${at(camel)} must be an array of KeyValue`);
  v.forEach((kv, i) => {
    if (!isObj(kv) || typeof kv.key !== "string")
      throw new RecordProblem(`${at(camel)}[${i}] must be a KeyValue with a string key`);
    if (Object.hasOwn(out, kv.key)) {
      const list = camel === "values" ? where : at(camel);
      throw new DuplicateKeyProblem(
        `${list} has the key ${JSON.stringify(kv.key)} more than once (OTLP allows one value per key; keeping either would silently drop the other)`,
      );
    }
    out[kv.key] = anyValue(kv.value, depth, `${at(camel)}[${i}].value`);
  });
  return out;
}

function hexId(v: unknown, bytes: number, what: string, problems: string[]): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) {
    problems.push(`${what} must be ${bytes * 2} hex digits (OTLP/JSON encodes ids as hex, not base64)`);
    return undefined;
  }
  const hex = v.toLowerCase();
  return /^0+$/.test(hex) ? undefined : hex;
}

function logRecord(o: unknown, base: Pick<OtlpLogRecord, "at" | "resource" | "scope">): OtlpLogRecord {
  const rec: OtlpLogRecord = { ...base, timeUnixNano: 0n, observedTimeUnixNano: 0n, attributes: dict(), problems: [] };
  if (!isObj(o)) {
    rec.problems.push("is not a LogRecord object");
    return rec;
  }
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof RecordProblem) rec.problems.push(e.message);
      else throw e;
    }
  };
  attempt(() => {
    const t = get(o, "timeUnixNano", "time_unix_nano");
    if (t !== undefined) rec.timeUnixNano = BigInt.asUintN(64, int64(t, "timeUnixNano"));
  });
  attempt(() => {
    const t = get(o, "observedTimeUnixNano", "observed_time_unix_nano");
    if (t !== undefined) rec.observedTimeUnixNano = BigInt.asUintN(64, int64(t, "observedTimeUnixNano"));
  });
  const sn = get(o, "severityNumber", "severity_number");
  if (typeof sn === "number" && Number.isInteger(sn)) rec.severityNumber = sn;
  else if (sn !== undefined)
    rec.problems.push("severityNumber must be an integer (OTLP/JSON encodes enums as integers)");
  const st = get(o, "severityText", "severity_text");
  if (typeof st === "string" && st !== "") rec.severityText = st;
  attempt(() => {
    const b = get(o, "body");
    if (b !== undefined && b !== null) rec.body = anyValue(b, 1, "body");
  });
  attempt(() => {
    rec.attributes = keyValues(o, 1, "");
  });
  const tid = hexId(get(o, "traceId", "trace_id"), 16, "traceId", rec.problems);
  if (tid) rec.traceId = tid;
  const sid = hexId(get(o, "spanId", "span_id"), 8, "spanId", rec.problems);
  if (sid) rec.spanId = sid;
  const en = get(o, "eventName", "event_name");
  if (typeof en === "string" && en !== "") rec.eventName = en;
  return rec;
}

/** Decodes an OTLP/JSON ExportLogsServiceRequest; throws OtlpDecodeError when the body is not one. */
export function decodeOtlpLogsJson(text: string): OtlpLogRecord[] {
  // The strict scanner first: bounded nesting (JSON.parse recurses) and no silently merged duplicate keys.
  const scan = scanJson(text, { maxDepth: 128 });
  if (!scan.ok) {
    const issue = scan.issues[0]!;
    const detail =
      issue.kind === "syntax"
        ? `malformed JSON at offset ${issue.offset}: ${issue.detail}`
        : issue.kind === "depth"
          ? `JSON nested deeper than 128 levels (offset ${issue.offset})`
          : issue.kind === "duplicate-key"
            ? `duplicate key "${issue.key}" at offset ${issue.offset}`
            : `malformed JSON at offset ${issue.offset}`;
    throw new OtlpDecodeError(detail);
  }
  const root: unknown = JSON.parse(text);
  if (!isObj(root)) throw new OtlpDecodeError("the body must be a JSON object (an ExportLogsServiceRequest)");
  const out: OtlpLogRecord[] = [];
  list(root, "resourceLogs", "resource_logs", "ExportLogsServiceRequest").forEach((rl, ri) => {
    if (!isObj(rl)) throw new OtlpDecodeError(`resourceLogs[${ri}] must be an object`);
    const res = get(rl, "resource");
    let resource = dict<JsonValue>();
    // A problem every record under this resource shares (it feeds each of them).
    let resourceProblem: string | null = null;
    if (res !== undefined && res !== null) {
      if (!isObj(res)) throw new OtlpDecodeError(`resourceLogs[${ri}].resource must be an object`);
      try {
        resource = keyValues(res, 1, `resourceLogs[${ri}].resource`);
      } catch (e) {
        // A repeated key rejects the records under it (reported as partial success, like any
        // record problem); anything else means the request is not an OTLP export at all.
        if (e instanceof DuplicateKeyProblem) resourceProblem = e.message;
        else if (e instanceof RecordProblem) throw new OtlpDecodeError(e.message);
        else throw e;
      }
    }
    list(rl, "scopeLogs", "scope_logs", `resourceLogs[${ri}]`).forEach((sl, si) => {
      if (!isObj(sl)) throw new OtlpDecodeError(`resourceLogs[${ri}].scopeLogs[${si}] must be an object`);
      const scope: OtlpLogRecord["scope"] = {};
      const sc = get(sl, "scope");
      if (isObj(sc)) {
        if (typeof sc.name === "string" && sc.name) scope.name = sc.name;
        if (typeof sc.version === "string" && sc.version) scope.version = sc.version;
      }
      list(sl, "logRecords", "log_records", `resourceLogs[${ri}].scopeLogs[${si}]`).forEach((lr, li) => {
        const rec = logRecord(lr, { at: { resource: ri, scope: si, record: li }, resource, scope });
        if (resourceProblem) rec.problems.push(resourceProblem);
        out.push(rec);
      });
    });
  });
  rejectInexactNumbers(out, scan.inexactNumbers);
  return out;
}

const FIELD = (p: unknown, camel: string, snake: string) => p === camel || p === snake;

/**
 * A number JSON.parse rounded (a doubleValue of `1.00000000000000000001`, an intValue of
 * `1e-400`) inside a log record, or in its resource, rejects the records it belongs to:
 * they would be stored holding a value the exporter did not send.
 */
function rejectInexactNumbers(records: OtlpLogRecord[], found: InexactNumber[]): void {
  for (const n of found) {
    const p = n.path;
    if (!FIELD(p[0], "resourceLogs", "resource_logs") || typeof p[1] !== "number") continue;
    const ri = p[1];
    let si: number | undefined;
    let li: number | undefined;
    let rest = p.slice(2);
    if (FIELD(p[2], "scopeLogs", "scope_logs") && typeof p[3] === "number") {
      si = p[3];
      rest = p.slice(4);
      if (FIELD(p[4], "logRecords", "log_records") && typeof p[5] === "number") {
        li = p[5];
        rest = p.slice(6);
      } else continue; // scope fields: not stored
    } else if (p[2] !== "resource") continue;
    const where = rest
      .map((x) => (typeof x === "number" ? `[${x}]` : `.${x}`))
      .join("")
      .replace(/^\./, "");
    const problem = `${where}: ${inexactNumberDetail(n)}`;
    for (const r of records) {
      if (r.at.resource !== ri || (si !== undefined && r.at.scope !== si) || (li !== undefined && r.at.record !== li))
        continue;
      r.problems.push(li === undefined ? `resource.${problem}` : problem);
    }
  }
}
