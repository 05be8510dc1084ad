import { describe, expect, it } from "vitest";
import { toBase64 } from "../bytes.ts";
import { entryLeafHash } from "../hash.ts";
import { toEcs } from "./ecs.ts";
import { toOcsfApiActivity } from "./ocsf.ts";
import { nativeRecord, type StreamEntry, type StreamRecord } from "./record.ts";
import {
  elasticBulkBody,
  ndjsonBody,
  octetFrame,
  readBulkAnswer,
  splunkHecBody,
  syslogMessage,
  syslogPri,
} from "./wire.ts";

// The SIEM wire formats for records whose proof fields must survive every format.

function record(seq: number, over: Partial<StreamEntry> = {}): StreamRecord {
  const entry: StreamEntry = {
    seq,
    id: `evt-${seq}`,
    source: "spiffe://t.example/ns/shop/sa/orders",
    receivedAt: "2026-12-04T10:00:00.250Z",
    timestamp: "2026-12-04T10:00:00.123Z",
    eventType: "read",
    requester: { id: "spiffe://t.example/ns/shop/sa/checkout", type: "workload", ip: "10.0.0.7" },
    target: { id: "db://payments-pg/cards", service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: "success",
    correlationId: "4bf92f3577b34da6a3ce929d0e0e4736",
    ...over,
  };
  return { seq, leafHash: toBase64(entryLeafHash(entry)), checkpointSize: seq + 3, entry };
}

describe("native records", () => {
  it("carry the entry byte for byte, so the leaf hash is recomputed from the copy", () => {
    const r = record(7, { attributes: { "http.route": "/v1/x", z: 1, a: "é" } });
    const line = nativeRecord(r);
    const back = JSON.parse(line) as { seq: number; leafHash: string; checkpointSize: number; entry: object };
    expect(back.seq).toBe(7);
    expect(back.checkpointSize).toBe(10);
    expect(toBase64(entryLeafHash(back.entry))).toBe(back.leafHash);
    // The entry member is the canonical form itself (keys sorted), not a re-serialisation.
    expect(line).toContain('"attributes":{"a":"é","http.route":"/v1/x","z":1}');
  });
});

describe("OCSF API Activity", () => {
  it("fills the class's required attributes and maps type, status and time", () => {
    const o = toOcsfApiActivity(record(3, { eventType: "delete", outcome: "denied", reason: "policy p-7" }));
    expect(o).toMatchObject({
      category_uid: 6,
      class_uid: 6003,
      activity_id: 4,
      type_uid: 600304,
      time: Date.parse("2026-12-04T10:00:00.123Z"),
      status_id: 2,
      status_detail: "policy p-7",
      severity_id: 2,
      metadata: { version: "1.3.0", product: { name: "Ledgerline" }, uid: "3" },
      actor: { user: { uid: "spiffe://t.example/ns/shop/sa/checkout", type_id: 3 } },
      api: { operation: "SELECT cards", service: { name: "payments" } },
      src_endpoint: { ip: "10.0.0.7" },
      resources: [{ uid: "db://payments-pg/cards", type: "db" }],
      unmapped: { ledgerline: { seq: 3, checkpointSize: 6 } },
    });
    expect(toOcsfApiActivity(record(1, { eventType: "execute" }))).toMatchObject({ activity_id: 99, type_uid: 600399 });
  });
});

describe("ECS", () => {
  it("names outcome and the proof fields as Elastic expects", () => {
    const d = toEcs(record(5, { outcome: "denied", reason: "no" }));
    expect(d).toMatchObject({
      "@timestamp": "2026-12-04T10:00:00.123Z",
      event: { outcome: "failure", reason: "no", sequence: 5, action: "SELECT cards" },
      source: { ip: "10.0.0.7" },
      trace: { id: "4bf92f3577b34da6a3ce929d0e0e4736" },
      ledgerline: { seq: 5, checkpointSize: 8 },
    });
  });
});

describe("wire bodies", () => {
  const rs = [record(1), record(2, { outcome: "failure" })];

  it("Splunk HEC: one event object per record, time in epoch seconds", () => {
    const lines = splunkHecBody(rs, { format: "native", host: "ll-1", index: "audit" }).split("\n");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as { time: number; index: string; sourcetype: string; event: { seq: number } };
    expect(first).toMatchObject({
      time: Date.parse("2026-12-04T10:00:00.123Z") / 1000,
      index: "audit",
      sourcetype: "ledgerline:access",
    });
    expect(first.event.seq).toBe(1);
  });

  it("Elastic _bulk: create actions with a fixed _id, and a 409 on re-send counts as delivered", () => {
    const body = elasticBulkBody(rs, { format: "native", index: "ledgerline", logId: "abc" });
    const lines = body.trimEnd().split("\n");
    expect(body.endsWith("\n")).toBe(true);
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[2]!)).toEqual({ create: { _index: "ledgerline", _id: "abc-2" } });
    const items = [{ create: { status: 201 } }, { create: { status: 409 } }];
    expect(readBulkAnswer(rs, { errors: true, items }).every((i) => i.ok)).toBe(true);
    const bad = readBulkAnswer(rs, {
      errors: true,
      items: [{ create: { status: 201 } }, { create: { status: 400, error: { reason: "mapper_parsing_exception" } } }],
    });
    expect(bad[1]).toEqual({ seq: 2, ok: false, status: 400, error: "mapper_parsing_exception" });
    expect(() => readBulkAnswer(rs, { items: [] })).toThrow(/0 items for 2 records/);
  });

  it("NDJSON: one record per line", () => {
    expect(
      ndjsonBody(rs, "ocsf")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).class_uid),
    ).toEqual([6003, 6003]);
  });

  it("syslog: an RFC 5424 message with the proof as structured data, octet-counted", () => {
    const m = syslogMessage(record(9, { outcome: "denied" }), { format: "native", host: "ll 1" });
    expect(m).toMatch(
      /^<109>1 2026-12-04T10:00:00\.123Z ll_1 ledgerline - access \[ledgerline@32473 seq="9" leafHash="[^"]+" checkpointSize="12"\] \uFEFF\{/,
    );
    expect(syslogPri("success")).toBe(110);
    const framed = new TextDecoder().decode(octetFrame("é1"));
    expect(framed).toBe("3 é1"); // octets, not characters
  });
});
