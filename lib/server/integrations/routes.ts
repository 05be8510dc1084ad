import "server-only";
import { parseTraceparent } from "@/lib/schemas/event.ts";
import { scanJson, type InexactNumber } from "@/lib/server/ingest/parse/json-scan.ts";
import { inexactNumberDetail } from "@/lib/server/ingest/parse/parse-body.ts";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps, type EndpointContext } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import type { IngestRuntime } from "../ingest/admission.ts";
import { authenticateRequest, takeRate } from "../ingest/ingest.ts";
import { appendMapped, describeOutcome, type ItemOutcome } from "./append-mapped.ts";
import { k8sEventListItems, mapK8sAuditItems, type K8sBatch, type K8sRejected } from "./k8s-audit-mapping.ts";
import { decodeOtlpLogsJson } from "./otlp-json.ts";
import { mapOtlpRecord } from "./otlp-mapping.ts";
import { OtlpDecodeError, type OtlpLogRecord } from "./otlp-model.ts";
import { decodeOtlpLogsProtobuf, encodeOtlpLogsResponse } from "./otlp-protobuf.ts";
import { decodeUtf8, mediaType, readIntegrationBody } from "./request-body.ts";

// Ingest routes for logs Ledgerline did not define — OTLP/HTTP logs and the Kubernetes audit
// webhook — mounted by lib/server/http/api.ts like every /api/v1 route. Same ingest keys, same per-key rate and body limit as
// POST /api/v1/events; unlike it, each record stands alone (see append-mapped.ts).

const PROTOBUF_TYPES = new Set(["application/x-protobuf", "application/protobuf"]);
/** Per-record messages carried back in errorMessage / rejected; the counts are always complete. */
const MAX_REPORTED = 20;

/**
 * Rounded numbers of an EventList, per item: `/items/<i>/…` pointers. requestObject and
 * responseObject are never copied into an entry, so what JSON.parse does to them changes nothing stored.
 */
function inexactNumbersByItem(found: InexactNumber[]): Map<number, Array<{ pointer: string; detail: string }>> {
  const out = new Map<number, Array<{ pointer: string; detail: string }>>();
  for (const n of found) {
    const [items, index, field] = n.path;
    if (items !== "items" || typeof index !== "number" || field === "requestObject" || field === "responseObject")
      continue;
    const pointer = n.path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
    out.set(index, [...(out.get(index) ?? []), { pointer, detail: inexactNumberDetail(n) }]);
  }
  return out;
}

function where(r: OtlpLogRecord): string {
  return `resourceLogs[${r.at.resource}].scopeLogs[${r.at.scope}].logRecords[${r.at.record}]`;
}

/** Counts the append outcomes of mapped audit items, adding the refused ones to `rejected`. */
function settleK8sItems(mapped: K8sBatch["mapped"], outcomes: ItemOutcome[], rejected: K8sRejected[]) {
  let accepted = 0;
  let duplicates = 0;
  outcomes.forEach((o, i) => {
    const { index, auditID } = mapped[i]!;
    if (o.status === "accepted") accepted++;
    else if (o.status === "duplicate") duplicates++;
    else {
      rejected.push({
        index,
        auditID,
        errors:
          o.status === "invalid"
            ? o.errors.map((e) => ({
                pointer: `/items/${index}`,
                mappedField: e.pointer || "(event)",
                detail: e.detail,
              }))
            : [{ pointer: `/items/${index}/auditID`, detail: describeOutcome(o) }],
      });
    }
  });
  return { accepted, duplicates };
}

type Ctx = EndpointContext<Record<string, never>>;

/** The body's OTLP records, or a 400 saying why nothing was stored. */
function decodeOtlp(body: Uint8Array, protobuf: boolean): OtlpLogRecord[] {
  try {
    return protobuf ? decodeOtlpLogsProtobuf(body) : decodeOtlpLogsJson(decodeUtf8(body));
  } catch (e) {
    if (e instanceof OtlpDecodeError) {
      throw new AppError(
        "bad_request",
        `The body is not an OTLP ExportLogsServiceRequest (${protobuf ? "protobuf" : "JSON"}): ${e.message}. Nothing was stored.`,
        {
          title: "Malformed OTLP request",
        },
      );
    }
    throw e;
  }
}

/** Maps and appends each record on its own; returns one line per record not stored. */
async function appendOtlpRecords(rt: IngestRuntime, source: string, records: OtlpLogRecord[]): Promise<string[]> {
  const problems: string[] = [];
  const mapped: Array<{ record: OtlpLogRecord; event: Record<string, unknown> }> = [];
  for (const record of records) {
    const m = mapOtlpRecord(record);
    if (m.ok) mapped.push({ record, event: m.event });
    else problems.push(`${where(record)}: ${m.reason}`);
  }
  const outcomes = await appendMapped(
    rt,
    source,
    mapped.map((m) => m.event),
  );
  outcomes.forEach((o, i) => {
    if (o.status === "invalid" || o.status === "conflict")
      problems.push(`${where(mapped[i]!.record)}: ${describeOutcome(o)}`);
  });
  return problems;
}

// POST /api/v1/otlp/v1/logs — OTLP/HTTP logs export (JSON or protobuf, optionally gzip) → entries.
async function postOtlpLogs(req: Request, { requestId, rt: ledger }: Ctx): Promise<Response> {
  const key = await authenticateRequest(ledger, req);
  const type = mediaType(req);
  const protobuf = PROTOBUF_TYPES.has(type);
  if (!protobuf && type !== "application/json") {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/x-protobuf or application/json (OTLP/HTTP), not "${type || "(none)"}".`,
    );
  }
  takeRate(ledger, key.id, 1); // before reading: an exhausted key is refused cheaply
  const body = await readIntegrationBody(req, ledger.config.maxBodyBytes);
  const records = decodeOtlp(body, protobuf);
  if (records.length > 1) takeRate(ledger, key.id, records.length - 1);

  const problems = await appendOtlpRecords(ledger, key.source, records);
  const rejected = problems.length;
  let errorMessage = "";
  if (rejected) {
    errorMessage =
      `${rejected} of ${records.length} log record(s) were not stored: ` +
      problems.slice(0, MAX_REPORTED).join(" | ") +
      (rejected > MAX_REPORTED ? ` | … and ${rejected - MAX_REPORTED} more` : "");
    console.warn(
      `[ledgerline] ${requestId} OTLP: ${rejected} of ${records.length} log record(s) rejected for source ${key.source}`,
    );
  }
  // OTLP: 200 with an ExportLogsServiceResponse in the request's encoding; partialSuccess only when something was rejected.
  if (protobuf) {
    return new Response(encodeOtlpLogsResponse(rejected, errorMessage) as BodyInit, {
      status: 200,
      headers: { "content-type": "application/x-protobuf", "x-request-id": requestId, "cache-control": "no-store" },
    });
  }
  return json(rejected ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage } } : {}, 200, requestId);
}

/** The EventList's items and the numbers JSON.parse rounded in them, or a 400 saying why nothing was stored. */
function parseK8sEventList(text: string) {
  const scan = scanJson(text, { maxDepth: 128 });
  if (!scan.ok) {
    const issue = scan.issues[0]!;
    throw new AppError(
      "bad_request",
      issue.kind === "duplicate-key"
        ? `The body has a duplicate key "${issue.key}" at offset ${issue.offset}; nothing was stored.`
        : `The body is not valid JSON (${issue.kind} at offset ${issue.offset}); nothing was stored.`,
      { title: "Malformed JSON" },
    );
  }
  const items = k8sEventListItems(JSON.parse(text));
  if (!items) {
    throw new AppError(
      "bad_request",
      'The body must be an audit.k8s.io/v1 EventList: {"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[…]}. Nothing was stored.',
      {
        title: "Not an audit EventList",
      },
    );
  }
  return { items, rounded: inexactNumbersByItem(scan.inexactNumbers) };
}

// Kubernetes audit events name people: their usernames (and impersonated users) are
// committed by default (leaf v2, docs/retention.md § Erasure), whatever the source declares.
const K8S_PERSONAL = ["/requester/id", "/attributes/k8s.impersonated_user"];

// POST /api/v1/k8s/audit — Kubernetes audit webhook backend (audit.k8s.io/v1 EventList) → entries.
async function postK8sAudit(req: Request, { requestId, rt: ledger }: Ctx): Promise<Response> {
  const key = await authenticateRequest(ledger, req);
  const type = mediaType(req);
  if (type !== "" && type !== "application/json") {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json (an audit.k8s.io/v1 EventList), not "${type}".`,
    );
  }
  takeRate(ledger, key.id, 1);
  const text = decodeUtf8(await readIntegrationBody(req, ledger.config.maxBodyBytes));
  const { items, rounded } = parseK8sEventList(text);
  if (items.length > 1) takeRate(ledger, key.id, items.length - 1);

  const traceId = parseTraceparent(req.headers.get("traceparent")?.trim() ?? "")?.traceId;
  const cluster = new URL(req.url).searchParams.get("cluster")?.trim() || undefined;
  const { mapped, rejected, skipped } = mapK8sAuditItems(items, { traceId, cluster, rounded });
  const outcomes = await appendMapped(
    ledger,
    key.source,
    mapped.map((m) => m.event),
    { defaultPersonal: K8S_PERSONAL },
  );
  const { accepted, duplicates } = settleK8sItems(mapped, outcomes, rejected);
  rejected.sort((a, b) => a.index - b.index);
  if (rejected.length) {
    console.warn(
      `[ledgerline] ${requestId} k8s audit: ${rejected.length} of ${items.length} event(s) rejected for source ${key.source}`,
    );
  }
  const skippedCount = Object.values(skipped).reduce((a, b) => a + b, 0);
  // 2xx even with rejections: the apiserver retries non-2xx, and a bad event stays bad;
  // the body (and the server log) say which ones and why.
  return json(
    {
      received: items.length,
      accepted,
      duplicates,
      skipped: { count: skippedCount, stages: skipped },
      rejected: rejected.slice(0, 100),
      rejectedCount: rejected.length,
    },
    accepted ? 201 : 200,
    requestId,
  );
}

export function integrationRoutes(deps: ApiDeps) {
  return {
    postOtlpLogs: endpoint(deps, postOtlpLogs),
    postK8sAudit: endpoint(deps, postK8sAudit),
  };
}
