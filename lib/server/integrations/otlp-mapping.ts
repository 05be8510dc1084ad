// OTLP log record → Ledgerline access event (the raw event, before validateEvent).
// The mapping is documented in docs/integrations.md; keep the two in step.
//
// A record describes an access when it carries the attributes of an HTTP request
// (`http.request.method`), a database call (`db.system.name` / `db.system` /
// `db.operation.name`) or an RPC (`rpc.method`), in OpenTelemetry semantic-convention names
// (the pre-1.21 HTTP names `http.method`, `http.status_code`, `http.url`, `http.target` are
// read too, since many instrumentations still emit them). Record attributes win over resource
// attributes of the same name. Anything else is not an access and is reported back as
// rejected, never dropped silently.

import crypto from "node:crypto";
import { cleanText, fitAttributes } from "./fit-attributes.ts";
import type { JsonValue, OtlpLogRecord } from "./otlp-model.ts";

export type MappedRecord = { ok: true; event: Record<string, unknown> } | { ok: false; reason: string };

const HTTP_EVENT_TYPE: Record<string, string> = {
  GET: "read",
  HEAD: "read",
  OPTIONS: "read",
  POST: "write",
  PUT: "modify",
  PATCH: "modify",
  DELETE: "delete",
};

// First word of a database operation (SQL, Redis, MongoDB, Cassandra, Elasticsearch, DynamoDB…).
const DB_READ =
  /^(SELECT|GET|MGET|HGET|HGETALL|HMGET|LRANGE|SMEMBERS|ZRANGE|EXISTS|KEYS|SCAN|FIND|FINDONE|AGGREGATE|COUNT|COUNTDOCUMENTS|DISTINCT|READ|QUERY|SEARCH|GETITEM|BATCHGETITEM|WITH|SHOW|DESCRIBE|EXPLAIN)$/;
const DB_WRITE =
  /^(INSERT|CREATE|PUT|PUTITEM|BATCHWRITEITEM|SET|MSET|HSET|SETEX|LPUSH|RPUSH|SADD|ZADD|INSERTONE|INSERTMANY|COPY|INDEX|XADD|INCR|INCRBY|APPEND)$/;
const DB_MODIFY =
  /^(UPDATE|UPDATEONE|UPDATEMANY|UPDATEITEM|UPSERT|MERGE|REPLACE|REPLACEONE|FINDANDMODIFY|FINDONEANDUPDATE|FINDONEANDREPLACE|ALTER|RENAME|GRANT|REVOKE|EXPIRE)$/;
const DB_DELETE =
  /^(DELETE|DELETEONE|DELETEMANY|DELETEITEM|DEL|UNLINK|HDEL|SREM|ZREM|DROP|TRUNCATE|REMOVE|FINDONEANDDELETE|FLUSHDB|FLUSHALL)$/;

export function dbEventType(operation: string): string {
  const word = (operation.trim().split(/[\s(;]+/)[0] ?? "").toUpperCase();
  if (DB_READ.test(word)) return "read";
  if (DB_WRITE.test(word)) return "write";
  if (DB_MODIFY.test(word)) return "modify";
  if (DB_DELETE.test(word)) return "delete";
  return "execute";
}

function requesterType(id: string, human: boolean): string {
  if (id.startsWith("spiffe://") || id.startsWith("system:serviceaccount:")) return "workload";
  return human ? "user" : "service";
}

function isIpLiteral(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(":") && /^[0-9A-Fa-f:.]+$/.test(s));
}

/** URL without query and fragment: the resource, not its parameters (which stay in attributes). */
function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** ns since epoch → RFC 3339 UTC ms; undefined when 0 (OTLP's "unset") or out of the representable range. */
function nanosToIso(ns: bigint): string | undefined {
  if (ns === 0n) return undefined;
  const ms = Number(ns / 1_000_000n);
  if (!Number.isFinite(ms) || ms > Date.UTC(9999, 11, 31, 23, 59, 59, 999)) return undefined;
  return new Date(ms).toISOString();
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/**
 * The record's idempotency key: its `log.record.uid` attribute when that is a usable event id,
 * else a hash of everything the exporter sent about it — an exporter retry of the same batch
 * maps to the same ids and becomes duplicates, not new entries.
 */
export function otlpRecordId(rec: OtlpLogRecord): string {
  const uid = rec.attributes["log.record.uid"];
  if (typeof uid === "string" && /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/.test(uid)) return uid;
  const h = crypto
    .createHash("sha256")
    .update(
      canonical([
        rec.resource,
        rec.scope,
        rec.timeUnixNano,
        rec.observedTimeUnixNano,
        rec.severityNumber ?? null,
        rec.severityText ?? null,
        rec.body ?? null,
        rec.attributes,
        rec.traceId ?? null,
        rec.spanId ?? null,
        rec.eventName ?? null,
      ]),
    )
    .digest("hex");
  return `otlp-${h.slice(0, 40)}`;
}

/** Looks a key up in the record's attributes, then its resource's. */
type Lookup = {
  rec: OtlpLogRecord;
  /** The first key holding a non-blank string or finite number, as a string. */
  str: (...keys: string[]) => string | undefined;
  /** The first key holding an integer (or a string of up to four digits). */
  int: (...keys: string[]) => number | undefined;
  serviceName: string | undefined;
  endUser: string | undefined;
  serverAddress: string | undefined;
  port: string | undefined;
  peerService: string | undefined;
};

/** Who accessed what, as one kind of span (HTTP, database, RPC) tells it. */
type Access = {
  requesterId: string | undefined;
  human: boolean;
  requesterIp?: string;
  targetId: string | undefined;
  targetService: string | undefined;
  targetType: string;
  eventType: string;
  action: string | undefined;
};

function lookup(rec: OtlpLogRecord): Lookup {
  const raw = (k: string): JsonValue | undefined => (k in rec.attributes ? rec.attributes[k] : rec.resource[k]);
  const str = (...keys: string[]): string | undefined => {
    for (const k of keys) {
      const v = raw(k);
      if (typeof v === "string" && v.trim() !== "") return v;
      if (typeof v === "number" && Number.isFinite(v)) return String(v);
    }
    return undefined;
  };
  const int = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const v = raw(k);
      const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,4}$/.test(v) ? Number(v) : NaN;
      if (Number.isInteger(n)) return n;
    }
    return undefined;
  };
  return {
    rec,
    str,
    int,
    serviceName:
      typeof rec.resource["service.name"] === "string" ? (rec.resource["service.name"] as string) : undefined,
    endUser: str("enduser.id", "user.id"),
    serverAddress: str("server.address", "net.peer.name", "net.host.name"),
    port: str("server.port", "net.peer.port", "net.host.port"),
    peerService: str("peer.service"),
  };
}

export function mapOtlpRecord(rec: OtlpLogRecord): MappedRecord {
  if (rec.problems.length) return { ok: false, reason: rec.problems.join("; ") };
  const l = lookup(rec);
  const method = l.str("http.request.method", "http.method")?.toUpperCase();
  const httpMethod = method === "_OTHER" ? (l.str("http.request.method_original")?.toUpperCase() ?? "_OTHER") : method;
  const dbSystem = l.str("db.system.name", "db.system");
  const dbOp = l.str("db.operation.name", "db.operation");
  const rpcMethod = l.str("rpc.method");
  let access: Access;
  if (httpMethod) access = httpAccess(l, httpMethod);
  else if (dbSystem || dbOp) access = dbAccess(l, dbSystem, dbOp);
  else if (rpcMethod) access = rpcAccess(l, rpcMethod);
  else {
    return {
      ok: false,
      reason:
        "does not describe an access: it has none of http.request.method, db.system.name / db.operation.name or rpc.method (see docs/integrations.md)",
    };
  }
  const { requesterId, targetId } = access;
  if (!requesterId) {
    return {
      ok: false,
      reason:
        "cannot tell who made the request: set enduser.id (or peer.service / client.address) on server-side records, or service.name on the resource",
    };
  }
  if (!targetId) return { ok: false, reason: "cannot tell what was accessed: set url.full, url.path or http.route" };

  const timestamp = nanosToIso(rec.timeUnixNano) ?? nanosToIso(rec.observedTimeUnixNano);
  if (!timestamp)
    return { ok: false, reason: "has neither timeUnixNano nor observedTimeUnixNano (or they are out of range)" };
  const { outcome, reason } = outcomeOf(l);

  const event: Record<string, unknown> = {
    id: otlpRecordId(rec),
    timestamp,
    eventType: access.eventType,
    requester: {
      id: requesterId,
      type: requesterType(requesterId, access.human),
      ...(access.requesterIp ? { ip: access.requesterIp } : {}),
    },
    target: {
      id: targetId,
      ...(access.targetService ? { service: access.targetService } : {}),
      type: access.targetType,
    },
    outcome,
  };
  if (access.action) event.action = access.action;
  if (rec.traceId) event.correlationId = rec.traceId;
  if (reason) event.reason = reason;
  const attributes = otlpAttributes(rec, l.serviceName);
  if (attributes) event.attributes = attributes;
  return { ok: true, event };
}

function httpAccess(l: Lookup, httpMethod: string): Access {
  const { str, serviceName, endUser, serverAddress, port, peerService } = l;
  const urlFull = str("url.full", "http.url");
  const route = str("http.route");
  // Server side when the route template or only a path is known; a client span/log has url.full.
  const serverSide = route !== undefined || urlFull === undefined;
  const path = str("url.path") ?? (str("http.target") ? stripQuery(str("http.target")!) : undefined);
  const shown = route ?? path ?? (urlFull ? urlPathname(urlFull) : undefined);
  const common = {
    targetType: "api",
    eventType: HTTP_EVENT_TYPE[httpMethod] ?? "execute",
    action: shown ? `${httpMethod} ${shown}` : httpMethod,
  };
  if (!serverSide) {
    // The emitting service made the request: it is the requester, the peer is the target.
    return {
      ...common,
      requesterId: serviceName ?? endUser,
      human: serviceName === undefined && endUser !== undefined,
      targetId: stripQuery(urlFull!),
      targetService: peerService ?? serverAddress ?? hostOf(urlFull!),
    };
  }
  // The emitting service served the request: the caller is the requester.
  const ip = str("client.address", "network.peer.address", "net.sock.peer.addr");
  let targetId: string | undefined;
  if (urlFull) targetId = stripQuery(urlFull);
  else if (serverAddress && path)
    targetId = `${str("url.scheme") ?? "http"}://${serverAddress}${port ? `:${port}` : ""}${path}`;
  else targetId = path ?? route;
  return {
    ...common,
    requesterId: endUser ?? peerService ?? ip,
    human: endUser !== undefined,
    ...(ip && isIpLiteral(ip) ? { requesterIp: ip } : {}),
    targetId,
    targetService: serviceName,
  };
}

function urlPathname(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

// Database calls are always made by the emitting service (OTel db spans are client spans).
function dbAccess(l: Lookup, dbSystem: string | undefined, dbOp: string | undefined): Access {
  const { str, serviceName, endUser, serverAddress, port, peerService } = l;
  const namespace = str("db.namespace", "db.name");
  const collection = str("db.collection.name", "db.sql.table", "db.mongodb.collection", "db.cassandra.table");
  const host = serverAddress ?? dbSystem ?? "unknown";
  const op = dbOp ?? str("db.query.summary", "db.query.text", "db.statement");
  return {
    requesterId: serviceName ?? endUser,
    human: serviceName === undefined && endUser !== undefined,
    targetId: `db://${host}${port ? `:${port}` : ""}${namespace ? `/${namespace}` : ""}${collection ? `/${collection}` : ""}`,
    targetService: peerService ?? serverAddress ?? dbSystem,
    targetType: "db",
    eventType: op ? dbEventType(op) : "execute",
    action: str("db.query.summary") ?? (dbOp ? `${dbOp}${collection ? ` ${collection}` : ""}` : undefined),
  };
}

function rpcAccess(l: Lookup, rpcMethod: string): Access {
  const { str, serviceName, endUser, serverAddress, port, peerService } = l;
  const rpcService = str("rpc.service");
  const ip = str("client.address");
  const host = serverAddress ?? peerService ?? serviceName ?? "unknown";
  return {
    requesterId: endUser ?? serviceName,
    human: endUser !== undefined,
    ...(endUser && ip && isIpLiteral(ip) ? { requesterIp: ip } : {}),
    targetId: `${str("rpc.system") ?? "rpc"}://${host}${port ? `:${port}` : ""}/${rpcService ? `${rpcService}/` : ""}${rpcMethod}`,
    targetService: peerService ?? serverAddress ?? serviceName,
    targetType: "rpc",
    eventType: "execute",
    action: rpcService ? `${rpcService}/${rpcMethod}` : rpcMethod,
  };
}

/** Authorization refusals are `denied`, other errors `failure`; a non-success says why when the record does. */
function outcomeOf(l: Lookup): { outcome: string; reason: string | undefined } {
  const { str, int, rec } = l;
  const status = int("http.response.status_code", "http.status_code");
  const grpc = int("rpc.grpc.status_code");
  const errorType = str("error.type");
  let outcome = "success";
  if (status === 401 || status === 403 || grpc === 7 || grpc === 16) outcome = "denied";
  else if ((status !== undefined && status >= 400) || (grpc !== undefined && grpc !== 0) || errorType !== undefined)
    outcome = "failure";
  else if (status === undefined && grpc === undefined && (rec.severityNumber ?? 0) >= 17) outcome = "failure"; // ERROR or FATAL
  if (outcome === "success") return { outcome, reason: undefined };
  const msg = str("exception.message", "error.message");
  const why = [errorType, msg].filter(Boolean).join(": ") || (status !== undefined ? `HTTP ${status}` : undefined);
  return { outcome, reason: why ? cleanText(why) : undefined };
}

/** The record's attributes plus what OTLP carries beside them (resource, scope, severity, body), within the size limit. */
function otlpAttributes(rec: OtlpLogRecord, serviceName: string | undefined): Record<string, unknown> | undefined {
  const resourceRest: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(rec.resource)) if (k !== "service.name") resourceRest[k] = v;
  return fitAttributes(
    {
      ...Object.fromEntries(Object.entries(rec.attributes)),
      ...(serviceName ? { "service.name": serviceName } : {}),
      ...(rec.severityText || rec.severityNumber
        ? { "otel.severity": rec.severityText ?? rec.severityNumber ?? null }
        : {}),
      ...(rec.eventName ? { "otel.event_name": rec.eventName } : {}),
      ...(rec.spanId ? { "otel.span_id": rec.spanId } : {}),
      ...(rec.scope.name
        ? { "otel.scope": rec.scope.version ? `${rec.scope.name}@${rec.scope.version}` : rec.scope.name }
        : {}),
      ...(Object.keys(resourceRest).length ? { "otel.resource": resourceRest } : {}),
      ...(rec.body !== undefined ? { "log.body": rec.body } : {}),
    },
    ["log.body", "otel.resource", "otel.scope"],
  );
}
