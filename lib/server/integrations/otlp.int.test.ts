import fs from "node:fs";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OTLPLogExporter as OtlpHttpJsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as OtlpProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import type { LogRecordExporter, ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { DIALECTS, freshLedger, ingestRequest, sourceEntries, testApi } from "@/test/support/stores.ts";
import { startServer, type RunningServer } from "@/test/fixtures/http-server.ts";
import { emitSampleLogs, SAMPLE_READ_EVENT } from "@/test/fixtures/otlp/sample-logs.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey, revokeIngestKey } from "../ingest/ingest-keys.ts";
import type { Runtime } from "../runtime/runtime.ts";

// POST /api/v1/otlp/v1/logs through the real handler on real stores, and the official
// OpenTelemetry JS exporters (OTLP/HTTP JSON and protobuf+gzip) sending to it over HTTP.

const fixture = (name: string) => fs.readFileSync(new URL(`../../../test/fixtures/otlp/${name}`, import.meta.url));
const SOURCE = "spiffe://test.example/ns/observability/sa/otel-collector";
const admin = systemPrincipal("otlp-test@localhost");

describe.each(DIALECTS)("OTLP logs receiver on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let key: string;
  let keyId: string;
  let routes: ReturnType<typeof testApi>;

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect, { LEDGERLINE_MAX_BODY_BYTES: "262144" }));
    ({ key, id: keyId } = await createIngestKey(ledger, admin, SOURCE));
    routes = testApi(ledger);
  });
  afterEach(async () => cleanup());

  const post = (body: Uint8Array | string, headers: Record<string, string> = {}, auth: string | null = key) =>
    routes.otlp.postLogs(ingestRequest("http://127.0.0.1/api/v1/otlp/v1/logs", body, headers, auth), {});
  // Only this source's entries: key management itself may write audit-trail entries under another source.
  const entries = async () => sourceEntries(ledger, SOURCE);
  const count = async () => ledger.prisma.entry.count({ where: { source: SOURCE } });

  it("stores each access record of an OTLP/JSON export with the mapped fields and reports the rest as partial success", async () => {
    const r = await post(fixture("logs.json"));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    const body = await r.json();
    expect(body.partialSuccess.rejectedLogRecords).toBe(2);
    expect(body.partialSuccess.errorMessage).toContain(
      "resourceLogs[0].scopeLogs[0].logRecords[3]: does not describe an access",
    );
    expect(body.partialSuccess.errorMessage).toContain(
      "resourceLogs[1].scopeLogs[0].logRecords[1]: traceId must be 32 hex digits",
    );

    const stored = await entries();
    expect(stored).toHaveLength(4);
    expect(stored.every((e) => e.source === SOURCE)).toBe(true);
    expect(stored[0]).toMatchObject({
      timestamp: "2026-11-26T09:30:00.120Z",
      ...SAMPLE_READ_EVENT,
    });
    expect(stored[0]!.id).toMatch(/^otlp-[0-9a-f]{40}$/);
    expect(stored[1]).toMatchObject({
      eventType: "delete",
      outcome: "denied",
      requester: { id: "alice@example.com", type: "user", ip: "2001:db8::17" },
    });
    expect(stored[1]!.attributes).toMatchObject({
      "app.policy": { name: "orders-delete-admins-only", rules: ["role=admin", "9007199254740993"] },
    });
    expect(stored[2]).toMatchObject({
      eventType: "write",
      outcome: "failure",
      target: { id: "https://payments.internal:8443/v1/charges", service: "payments" },
    });
    expect(stored[3]).toMatchObject({
      eventType: "write",
      requester: { id: "payments-worker" },
      timestamp: "2026-11-26T09:30:04.000Z",
    });
  });

  it("an exporter retry of the same export stores nothing new", async () => {
    await post(fixture("logs.json"));
    const again = await post(fixture("logs.json"));
    expect(again.status).toBe(200);
    expect((await again.json()).partialSuccess.rejectedLogRecords).toBe(2);
    expect(await count()).toBe(4);
  });

  it("decodes protobuf from the official exporter and answers in protobuf", async () => {
    const r = await post(fixture("logs.binpb"), { "content-type": "application/x-protobuf" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-protobuf");
    const bytes = new Uint8Array(await r.arrayBuffer());
    // ExportLogsServiceResponse{partial_success{rejected_log_records: 1, error_message: "…"}}
    expect(bytes[0]).toBe(0x0a);
    let p = 1;
    while (bytes[p]! & 0x80) p++; // the message length varint
    expect([bytes[p + 1], bytes[p + 2]]).toEqual([0x08, 1]);
    expect(Buffer.from(bytes).toString("utf8")).toContain("does not describe an access");
    const stored = await entries();
    expect(stored).toHaveLength(5);
    expect(stored.map((e) => e.eventType)).toEqual(["read", "delete", "write", "read", "write"]);
    expect(stored[4]!.id).toBe("01JD3Q6ZP4W8Y1V5T9K2M7N0XR");
  });

  it("accepts gzip, and answers a gzip bomb with 413 without inflating it", async () => {
    const gz = await post(zlib.gzipSync(fixture("logs.json")), { "content-encoding": "gzip" });
    expect(gz.status).toBe(200);
    expect(await count()).toBe(4);

    // 100 MiB of zeros compress to ~100 KiB, under the 256 KiB body limit; inflated it is 400× over.
    const bomb = zlib.gzipSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(262144);
    const r = await post(bomb, { "content-encoding": "gzip" });
    expect(r.status).toBe(413);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(await count()).toBe(4);
  });

  it("refuses bad requests with problem+json and stores nothing", async () => {
    const cases: Array<[Uint8Array | string, Record<string, string>, number]> = [
      ["{not json", {}, 400],
      ['{"resourceLogs":{"oops":1}}', {}, 400],
      [Uint8Array.from([0x0a, 0xff, 0x01]), { "content-type": "application/x-protobuf" }, 400],
      ["plain", { "content-encoding": "gzip" }, 400],
      [fixture("logs.json"), { "content-encoding": "br" }, 415],
      [fixture("logs.json"), { "content-type": "text/plain" }, 415],
    ];
    for (const [body, headers, status] of cases) {
      const r = await post(body, headers);
      expect(r.status, JSON.stringify(headers)).toBe(status);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect((await r.json()).detail).toBeTruthy();
    }
    expect(await count()).toBe(0);
  });

  it("answers 401 without a valid key", async () => {
    expect((await post(fixture("logs.json"), {}, null)).status).toBe(401);
    await revokeIngestKey(ledger, admin, keyId);
    const r = await post(fixture("logs.json"));
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
    expect(await count()).toBe(0);
  });

  describe("official OpenTelemetry exporters against a running server", () => {
    let server: RunningServer;
    let lostResponses = 0;
    beforeEach(async () => {
      // The first attempt of every distinct request is stored, but its answer "lost" (503):
      // the exporter's own retry then resends the same bytes, which must add nothing.
      const seen = new Set<string>();
      lostResponses = 0;
      server = await startServer({
        "POST /api/v1/otlp/v1/logs": async (req, ctx) => {
          const digest = Buffer.from(await req.clone().arrayBuffer()).toString("base64");
          const res = await routes.otlp.postLogs(req, ctx);
          if (res.status === 200 && !seen.has(digest)) {
            seen.add(digest);
            lostResponses++;
            return new Response("upstream reset", { status: 503, headers: { "retry-after": "0" } });
          }
          return res;
        },
      });
    });
    afterEach(async () => server.close());

    /** Wraps an exporter to record each export's result code (0 = SUCCESS, 1 = FAILED). */
    const recording = (inner: LogRecordExporter, results: number[]): LogRecordExporter => ({
      export: (logs: ReadableLogRecord[], cb) =>
        inner.export(logs, (r) => {
          results.push(r.code);
          cb(r);
        }),
      shutdown: () => inner.shutdown(),
      forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    });

    for (const [name, make] of [
      [
        "exporter-logs-otlp-http (JSON)",
        (url: string) => new OtlpHttpJsonExporter({ url, headers: { Authorization: `Bearer ${key}` } }),
      ],
      [
        "exporter-logs-otlp-proto (protobuf, gzip)",
        (url: string) =>
          new OtlpProtoExporter({ url, headers: { Authorization: `Bearer ${key}` }, compression: "gzip" as never }),
      ],
    ] as const) {
      it(`${name}: entries arrive once each, through the exporter's retries`, async () => {
        const results: number[] = [];
        await emitSampleLogs(recording(make(`${server.url}/api/v1/otlp/v1/logs`), results));
        expect(results).toEqual([0, 0, 0, 0, 0, 0]);
        expect(lostResponses).toBe(6);
        // SimpleLogRecordProcessor exports records concurrently: order by time, not seq.
        const stored = (await entries()).sort((a, b) => a.timestamp.localeCompare(b.timestamp));
        expect(stored).toHaveLength(5);
        expect(stored[0]).toMatchObject({
          timestamp: "2026-11-20T09:30:00.120Z",
          requester: { id: "spiffe://prod.example/ns/shop/sa/checkout" },
          correlationId: "4bf92f3577b34da6a3ce929d0e0e4736",
          source: SOURCE,
        });
        expect(stored[1]).toMatchObject({ outcome: "denied", eventType: "delete" });
        expect(stored[4]).toMatchObject({ id: "01JD3Q6ZP4W8Y1V5T9K2M7N0XR" });
      });
    }

    it("an exporter with a wrong key gets 401 (export FAILED), nothing stored", async () => {
      const results: number[] = [];
      await emitSampleLogs(
        recording(
          new OtlpProtoExporter({
            url: `${server.url}/api/v1/otlp/v1/logs`,
            headers: { Authorization: "Bearer nope" },
          }),
          results,
        ),
      );
      expect(results.every((c) => c === 1)).toBe(true);
      expect(await count()).toBe(0);
    });
  });
});
