// The decoded form of an OTLP logs export, shared by the JSON and protobuf decoders so the
// mapping (otlp-mapping.ts) sees one shape whatever the wire encoding was.
//
// Attribute values are converted to JSON values at decode time, because that is what an
// entry's `attributes` can hold: int64 → number when it is a safe integer, else its decimal
// string (an audit log must not round 2^63−1 to 9223372036854775808); non-finite doubles →
// "NaN" / "Infinity" / "-Infinity"; bytes → standard base64; kvlist → object; array → array.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export type OtlpLogRecord = {
  /** Where the record sits in the request, for error messages: resourceLogs / scopeLogs / logRecords indexes. */
  at: { resource: number; scope: number; record: number };
  resource: Record<string, JsonValue>;
  scope: { name?: string; version?: string };
  /** Nanoseconds since the Unix epoch; 0n when unset (OTLP's "unknown"). */
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber?: number;
  severityText?: string;
  body?: JsonValue;
  attributes: Record<string, JsonValue>;
  /** Lowercase hex; absent when unset or all-zero. */
  traceId?: string;
  spanId?: string;
  eventName?: string;
  /** Problems found while decoding this record (e.g. a 5-byte trace id): the record is rejected, not the request. */
  problems: string[];
};

/** A request that cannot be decoded at all: answered 400, nothing stored. */
export class OtlpDecodeError extends Error {}

/** Deepest AnyValue nesting the decoders follow; deeper input is refused, not recursed into. */
export const MAX_ANY_VALUE_DEPTH = 32;

export function int64ToJson(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function doubleToJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += HEX[x];
  return s;
}

/** Own-key object without a prototype chain, so attribute keys like `__proto__` stay data (validation refuses them). */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
