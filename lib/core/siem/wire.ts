import { toEcs } from "./ecs.ts";
import { toOcsfApiActivity } from "./ocsf.ts";
import { nativeRecord, type StreamRecord } from "./record.ts";

// The bytes each kind of destination receives for a batch of records. Pure: the
// streamer (lib/server/siem) sends them and reads the answers; docs/siem.md documents
// each wire format and where it comes from.

export const SIEM_KINDS = ["splunk-hec", "elastic-bulk", "syslog-tcp", "syslog-tls", "https-ndjson"] as const;
export type SiemKind = (typeof SIEM_KINDS)[number];
export const SIEM_FORMATS = ["native", "ocsf"] as const;
export type SiemFormat = (typeof SIEM_FORMATS)[number];

/** One record as a JSON value in the chosen format (native is the canonical entry line). */
export function recordJson(r: StreamRecord, format: SiemFormat): string {
  return format === "ocsf" ? JSON.stringify(toOcsfApiActivity(r)) : nativeRecord(r);
}

/**
 * Splunk HTTP Event Collector (`POST /services/collector/event`, `Authorization: Splunk
 * <token>`): event objects one after another; `time` in epoch seconds, the record as `event`.
 */
export function splunkHecBody(
  records: StreamRecord[],
  o: { format: SiemFormat; host: string; index?: string; sourcetype?: string },
): string {
  const sourcetype = o.sourcetype ?? (o.format === "ocsf" ? "ocsf:api_activity" : "ledgerline:access");
  return records
    .map((r) => {
      const head = JSON.stringify({
        time: Date.parse(r.entry.timestamp) / 1000,
        host: o.host,
        source: r.entry.source,
        sourcetype,
        ...(o.index ? { index: o.index } : {}),
      });
      return `${head.slice(0, -1)},"event":${recordJson(r, o.format)}}`;
    })
    .join("\n");
}

/**
 * Elasticsearch `_bulk` (`application/x-ndjson`): a `create` action with `_id`
 * `<logId>-<seq>` and the document, per record. The fixed `_id` makes a re-sent record a
 * 409 the streamer counts as already delivered, so at-least-once lands exactly once.
 * Native format sends ECS field names; OCSF sends the OCSF event.
 */
export function elasticBulkBody(
  records: StreamRecord[],
  o: { format: SiemFormat; index: string; logId: string },
): string {
  let out = "";
  for (const r of records) {
    const doc = o.format === "ocsf" ? JSON.stringify(toOcsfApiActivity(r)) : JSON.stringify(toEcs(r));
    out += `${JSON.stringify({ create: { _index: o.index, _id: `${o.logId}-${r.seq}` } })}\n${doc}\n`;
  }
  return out;
}

export type BulkItemResult = { seq: number; ok: boolean; status: number; error?: string };

/** Reads a `_bulk` answer item by item: 201 created and 409 (already there) count as delivered. */
export function readBulkAnswer(records: StreamRecord[], answer: unknown): BulkItemResult[] {
  const items = (answer as { items?: Array<Record<string, { status?: number; error?: { reason?: string } }>> }).items;
  if (!Array.isArray(items) || items.length !== records.length)
    throw new Error(`_bulk answered ${Array.isArray(items) ? items.length : "no"} items for ${records.length} records`);
  return items.map((item, i) => {
    const res = item.create ?? item.index ?? Object.values(item)[0] ?? {};
    const status = res.status ?? 0;
    const ok = (status >= 200 && status < 300) || status === 409;
    return { seq: records[i]!.seq, ok, status, ...(ok ? {} : { error: res.error?.reason ?? `status ${status}` }) };
  });
}

/** Generic HTTPS endpoint: one record per line (`application/x-ndjson`). */
export function ndjsonBody(records: StreamRecord[], format: SiemFormat): string {
  return records.map((r) => `${recordJson(r, format)}\n`).join("");
}

/** RFC 5424 facility 13 ("log audit"); severity by outcome: denied 5 notice, failure 4 warning, else 6. */
export function syslogPri(outcome: string): number {
  const severity = outcome === "denied" ? 5 : outcome === "failure" ? 4 : 6;
  return 13 * 8 + severity;
}

/** SD-PARAM value escaping (RFC 5424 §6.3.3): `"`, `\` and `]` are escaped with a backslash. */
const sdValue = (v: string | number) => String(v).replace(/["\\\]]/g, (c) => `\\${c}`);

/** PRINTUSASCII without space, at most `max` characters (RFC 5424 header fields); "-" when empty. */
const headerField = (v: string, max: number) => v.replace(/[^\x21-\x7e]/g, "_").slice(0, max) || "-";

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOST ledgerline - access [ledgerline@PEN seq=…
 * leafHash=… checkpointSize=…] BOM JSON`. `pen` is the private enterprise number of the
 * SD-ID (32473, RFC 5612's number for documentation, unless the operator sets their own).
 */
export function syslogMessage(r: StreamRecord, o: { format: SiemFormat; host: string; pen?: number }): string {
  const sd = `[ledgerline@${o.pen ?? 32473} seq="${r.seq}" leafHash="${sdValue(r.leafHash)}" checkpointSize="${r.checkpointSize}"]`;
  const header = `<${syslogPri(r.entry.outcome)}>1 ${r.entry.timestamp} ${headerField(o.host, 255)} ledgerline - access`;
  return `${header} ${sd} \uFEFF${recordJson(r, o.format)}`;
}

/** Octet-counting framing for syslog over TCP and TLS (RFC 6587 §3.4.1, RFC 5425 §4.3): `LEN SP MSG`. */
export function octetFrame(message: string): Uint8Array {
  const bytes = new TextEncoder().encode(message);
  const head = new TextEncoder().encode(`${bytes.length} `);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}
