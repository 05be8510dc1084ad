import "./zod-browser.ts";
import { z } from "zod";
import { EVENT_LIMITS } from "./event.ts";
import { checkIdentifier } from "./identifier.ts";
import { checkedString, timestampString } from "./checked-string.ts";
import type { FilterIssue, ParseResult } from "./event-filter.ts";

// The trace search at the edges: `/trace?service=&range=&status=` (the page) and
// `GET /api/v1/traces?service=&from=&to=&status=&limit=&cursor=` (the API). Typed
// and bounded here, so the SQL layer only ever sees a valid TraceQuery.

export const TRACE_STATUSES = ["denied", "failed"] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];
export const TRACE_PAGE_LIMIT = { default: 25, max: 200 } as const;

/** Relative presets of the page: how far back from now a trace's last entry may be. */
export const TRACE_RANGES = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
} as const;
export type TraceRange = keyof typeof TRACE_RANGES;

export type TraceQuery = {
  /** A target service or a requester id that took part (exact). */
  service?: string;
  /** Traces still active at or after this instant (their last entry ≥ from). */
  from?: string;
  /** Traces that began before this instant (their first entry < to). */
  to?: string;
  /** Traces with at least one denied (or failed) entry. */
  status?: TraceStatus;
};

// The longest id a trace can take part under: a requester id (512) or a target service (128).
const service = checkedString((s) => checkIdentifier(s.trim(), { max: EVENT_LIMITS.requesterId }));

export const traceQuerySchema = z
  .strictObject({
    service: service.optional(),
    from: timestampString.optional(),
    to: timestampString.optional(),
    status: z.enum(TRACE_STATUSES, { error: `must be one of ${TRACE_STATUSES.join(", ")}` }).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
    }
  });

export type TracePageRequest = { query: TraceQuery; limit: number; cursor?: string };

const PARAMS = ["service", "from", "to", "status"] as const;

/** The API's query string: filter, limit and cursor. Unknown or repeated parameters are errors. */
export function tracePageRequestFromSearchParams(sp: URLSearchParams): ParseResult<TracePageRequest> {
  const known = new Set<string>([...PARAMS, "limit", "cursor"]);
  const errors: FilterIssue[] = [];
  const raw: Record<string, string> = {};
  for (const k of new Set(sp.keys())) {
    const all = sp.getAll(k);
    if (!known.has(k)) errors.push({ param: k, detail: `is not a known parameter (known: ${[...known].join(", ")})` });
    else if (all.length > 1) errors.push({ param: k, detail: "may be given only once" });
    else if (all[0] !== "" && (PARAMS as readonly string[]).includes(k)) raw[k] = all[0]!;
  }
  const parsed = traceQuerySchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) errors.push({ param: String(i.path[0] ?? "(query)"), detail: i.message });
  }
  let limit: number = TRACE_PAGE_LIMIT.default;
  const limitRaw = sp.get("limit");
  if (limitRaw !== null && limitRaw !== "") {
    limit = Number(limitRaw);
    if (!/^\d+$/.test(limitRaw) || limit < 1 || limit > TRACE_PAGE_LIMIT.max) {
      errors.push({ param: "limit", detail: `must be a whole number from 1 to ${TRACE_PAGE_LIMIT.max}` });
    }
  }
  const cursor = sp.get("cursor") || undefined;
  if (cursor !== undefined && (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor))) {
    errors.push({ param: "cursor", detail: "is not a cursor this API issued" });
  }
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, value: { query: parsed.data, limit, cursor } };
}

/**
 * The ids a typed trace id may stand for. Stored ids match exactly, but a W3C
 * trace-id is lower-case hex by definition (upper case is invalid on the wire), so
 * an id that is all hex also tries its lower-case form: `4BF92F…` finds `4bf92f…`.
 */
export function traceIdCandidates(id: string): string[] {
  return /^[0-9a-f]+$/i.test(id) && id !== id.toLowerCase() ? [id, id.toLowerCase()] : [id];
}
