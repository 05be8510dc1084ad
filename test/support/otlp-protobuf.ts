// A minimal OTLP/protobuf writer for tests: one resource (service.name), one scope, log
// records with a time and string/int attributes — the field numbers of
// lib/server/integrations/otlp-protobuf.ts, written by hand so a test does not check the
// reader with its own encoder.

export type OtlpAttr = [key: string, value: string | bigint];

const varint = (n: bigint): number[] => {
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  return [...out, Number(n)];
};
/** A length-delimited field. */
const ld = (field: number, bytes: number[]) => [
  ...varint(BigInt((field << 3) | 2)),
  ...varint(BigInt(bytes.length)),
  ...bytes,
];
const str = (field: number, s: string) => ld(field, [...new TextEncoder().encode(s)]);
/** A KeyValue: string_value (1) or int_value (3, varint). */
const kv = (key: string, v: string | bigint) =>
  ld(6, [...str(1, key), ...ld(2, typeof v === "string" ? str(1, v) : [0x18, ...varint(v)])]);

/** An ExportLogsServiceRequest holding one LogRecord per entry of `records`. */
export function otlpLogsProtobuf(
  records: Array<{ timeUnixNano: bigint; attrs: OtlpAttr[] }>,
  service = "orders-api",
): Uint8Array {
  const logRecords = records.flatMap(({ timeUnixNano, attrs }) => {
    const t = new DataView(new ArrayBuffer(8));
    t.setBigUint64(0, timeUnixNano, true);
    return ld(2, [0x09, ...new Uint8Array(t.buffer), ...attrs.flatMap(([k, v]) => kv(k, v))]);
  });
  const resource = ld(1, ld(1, [...str(1, "service.name"), ...ld(2, str(1, service))]));
  return Uint8Array.from(ld(1, [...resource, ...ld(2, logRecords)]));
}
