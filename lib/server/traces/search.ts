import "server-only";
import type { TraceQuery } from "@/lib/schemas/trace-search.ts";
import { traceIdCandidates } from "@/lib/schemas/trace-search.ts";
import { recordRepeatableAudit, type AuditRuntime } from "../audit/audit-repeats.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { TRACES_TARGET } from "./trace.ts";

// Finding traces (issue 15 item 10): recent ones, by service, by time, with denials
// or failures. Read from the rollups of migration 0011 (`traces`, one row per
// correlation id; `trace_services`, one per service or requester taking part), kept
// by a trigger in each append's transaction. Every query is one index range walked
// newest first and stopped after a page:
//   no service   traces_last (or its partial twin traces_denied_last / traces_failed_last)
//   service      trace_services_name_last, each row joined to its trace by primary key
// The rollups only find traces; the trace page reads the entries themselves.

export type TraceSummary = {
  correlationId: string;
  /** Claimed time of the first and last entry. */
  firstTs: string;
  lastTs: string;
  durationMs: number;
  entries: number;
  denied: number;
  failed: number;
  /** Target services and requester ids that took part, sorted. */
  services: string[];
};

export type TraceSearchPage = { items: TraceSummary[]; nextCursor: string | null };

export type TraceSearchOptions = { limit: number; cursor?: string };

type Row = {
  correlation_id: string;
  first_ts: string;
  last_ts: string;
  entries: number | string;
  denied: number | string;
  failed: number | string;
  k: string;
};

// The cursor carries the sort key of the last row and which index it walks, so a
// cursor of a service search is refused by a search without one (and back).
type Cursor = { s: 0 | 1; k: string; c: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string, byService: boolean): Cursor {
  let c: Partial<Cursor> | null = null;
  try {
    c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
  } catch {
    c = null;
  }
  if (!c || c.s !== (byService ? 1 : 0) || typeof c.k !== "string" || typeof c.c !== "string") {
    throw new AppError(
      "bad_request",
      "The cursor is not one this API issued for this search; start again without it.",
      {
        errors: [{ parameter: "cursor", detail: "not a cursor issued for this search" }],
      },
    );
  }
  return c as Cursor;
}

/** The SQL of one page: the driving index range, then the trace's own row (exported for the bench's plans). */
export function pageSql(q: TraceQuery, cursor: Cursor | null, limit: number): { sql: string; params: string[] } {
  const by = q.service !== undefined ? "s" : "t";
  const where: string[] = [];
  const params: string[] = [];
  if (q.service !== undefined) {
    where.push("s.name = ?");
    params.push(q.service);
  }
  // The partial indexes' predicates, written as they are, so both planners can use them.
  if (q.status === "denied") where.push("t.denied > 0");
  if (q.status === "failed") where.push("t.failed > 0");
  if (q.from !== undefined) {
    where.push(`${by}.last_ts >= ?`);
    params.push(q.from);
  }
  if (q.to !== undefined) {
    where.push(`${by}.last_ts < ?`);
    params.push(q.to);
  }
  if (cursor) {
    where.push(`(${by}.last_ts, ${by}.correlation_id) < (?, ?)`);
    params.push(cursor.k, cursor.c);
  }
  const cols = `t.correlation_id, t.first_ts, t.last_ts, t.entries, t.denied, t.failed, ${by}.last_ts AS k`;
  const from = by === "s" ? "trace_services s JOIN traces t ON t.correlation_id = s.correlation_id" : "traces t";
  const sql =
    `SELECT ${cols} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}` +
    ` ORDER BY ${by}.last_ts DESC, ${by}.correlation_id DESC LIMIT ${limit + 1}`;
  return { sql, params };
}

async function servicesOf(ledger: Ledger, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await ledger.db.all<{ correlation_id: string; name: string }>(
    `SELECT correlation_id, name FROM trace_services WHERE correlation_id IN (${ids.map(() => "?").join(", ")})`,
    ids,
  );
  for (const r of rows) out.get(r.correlation_id)?.push(r.name);
  for (const list of out.values()) list.sort();
  return out;
}

function toSummary(r: Row, services: Map<string, string[]>): TraceSummary {
  return {
    correlationId: r.correlation_id,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    durationMs: Date.parse(r.last_ts) - Date.parse(r.first_ts),
    entries: Number(r.entries),
    denied: Number(r.denied),
    failed: Number(r.failed),
    services: services.get(r.correlation_id) ?? [],
  };
}

/** One page of traces matching `q`, newest first — without a permission check or audit (the bench, and searchTraces). */
export async function queryTraces(ledger: Ledger, q: TraceQuery, opts: TraceSearchOptions): Promise<TraceSearchPage> {
  const limit = Math.max(1, Math.floor(opts.limit));
  const cursor = opts.cursor ? decodeCursor(opts.cursor, q.service !== undefined) : null;
  const { sql, params } = pageSql(q, cursor, limit);
  const rows = await ledger.db.all<Row>(sql, params);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const services = await servicesOf(
    ledger,
    rows.map((r) => r.correlation_id),
  );
  const items = rows.map((r) => toSummary(r, services));
  const last = rows.at(-1);
  const nextCursor =
    more && last ? encodeCursor({ s: q.service !== undefined ? 1 : 0, k: last.k, c: last.correlation_id }) : null;
  return { items, nextCursor };
}

/**
 * The /trace page and `GET /api/v1/traces`: checks traces:read and records the
 * search like an explorer search (first page only; the same search again within
 * the read-audit window is counted into one later `traces.search.repeated` entry).
 */
export async function searchTraces(
  ledger: AuditRuntime,
  p: Principal | null,
  q: TraceQuery,
  opts: TraceSearchOptions,
): Promise<TraceSearchPage> {
  assertCan(p, "traces:read");
  if (!opts.cursor) {
    await recordRepeatableAudit(ledger, actorOf(p), {
      action: "traces.search",
      eventType: "read",
      outcome: "success",
      target: { id: TRACES_TARGET, type: "traces" },
      attributes: Object.keys(q).length ? { query: { ...q } } : undefined,
    });
  }
  return queryTraces(ledger, q, opts);
}

/**
 * The stored id a typed trace id stands for: itself when a trace has it, else its
 * lower-case form when that one exists (an upper-case W3C trace-id), else itself
 * (an empty trace is an answer too). Checks traces:read; not audited — opening
 * the trace records the view.
 */
export async function resolveTraceId(ledger: Ledger, p: Principal | null, id: string): Promise<string> {
  assertCan(p, "traces:read");
  const candidates = traceIdCandidates(id);
  if (candidates.length === 1) return id;
  const rows = await ledger.db.all<{ correlation_id: string }>(
    `SELECT correlation_id FROM traces WHERE correlation_id IN (${candidates.map(() => "?").join(", ")})`,
    candidates,
  );
  const found = new Set(rows.map((r) => r.correlation_id));
  return candidates.find((c) => found.has(c)) ?? id;
}

/**
 * Summaries of the given traces that exist (the "try these" suggestions of /trace
 * and the overview), in the order asked. Checks traces:read; not audited: it reads
 * only the rollup rows of ids the dashboard itself names, as the charts are not.
 */
export async function traceSummaries(ledger: Ledger, p: Principal | null, ids: string[]): Promise<TraceSummary[]> {
  assertCan(p, "traces:read");
  if (ids.length === 0) return [];
  const rows = await ledger.db.all<Row>(
    `SELECT correlation_id, first_ts, last_ts, entries, denied, failed, last_ts AS k FROM traces WHERE correlation_id IN (${ids.map(() => "?").join(", ")})`,
    ids,
  );
  const services = await servicesOf(
    ledger,
    rows.map((r) => r.correlation_id),
  );
  const byId = new Map(rows.map((r) => [r.correlation_id, toSummary(r, services)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
