import "./zod-browser.ts";
import { z } from "zod";
import { EVENT_FILTER_KEYS, normalizeFilter, type EventFilter } from "@/lib/core/event-filter.ts";
import { EVENT_LIMITS, EVENT_TYPES, OUTCOMES, REQUESTER_TYPES } from "./event.ts";
import { checkCorrelationId } from "./correlation-id.ts";
import { freeTextProblems, identifierProblems, SOURCE_MAX } from "./identifier.ts";
import { checkedString, timestampString } from "./checked-string.ts";

// The explorer filter at the edges: URL query parameters (the dashboard's URL, the
// read API) and JSON bodies (bundle requests). Everything is typed and bounded here,
// so the SQL layer only ever sees a valid EventFilter. Client-safe: the explorer's
// components use the same parser for the URL they keep their state in.

// Only orders an index serves at 10 M entries: every filter index ends in (ts, seq).
export const SORTS = ["-ts", "ts", "-seq", "seq"] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = "-ts";
export const PAGE_LIMIT = { default: 100, max: 1000 } as const;

/** `GET /api/v1/events/export`: its formats, and the most entries one export holds (past it: a signed bundle). */
export const EXPORT_FORMATS = ["csv", "ndjson"] as const;
export const EXPORT_LIMIT = 100_000;

/**
 * A text pattern (`!` negates, a trailing `*` makes a prefix): the text between
 * follows the identifier rule ingest applies (identifier.ts) — anything else could
 * match no stored identifier, and the audit record of the search must not carry it.
 */
const pattern = (max: number) =>
  z.string().superRefine((s, ctx) => {
    const inner = s.replace(/^!/, "").replace(/\*$/, "");
    if (s.length === 0) return ctx.addIssue({ code: "custom", message: "must not be empty" });
    if (inner.length === 0) return ctx.addIssue({ code: "custom", message: "needs text besides ! and *" });
    for (const message of identifierProblems(inner, { max })) {
      ctx.addIssue({
        code: "custom",
        message: message.startsWith("must be at most")
          ? `${message} (plus an optional leading ! and trailing *)`
          : message,
      });
    }
  });

/** The free-text search: the rule of free text (controls and lone surrogates refused; format characters kept). */
const freeText = (max: number) =>
  z.string().superRefine((s, ctx) => {
    for (const message of freeTextProblems(s, max)) ctx.addIssue({ code: "custom", message });
  });

const enumList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .array(z.enum(values, { error: `must be one of ${values.join(", ")}` }), { error: "must be a list" })
    .max(values.length * 2);

const seq = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be ≥ 1")
  .max(Number.MAX_SAFE_INTEGER);

/** A filter as JSON (bundle requests, manifests). Unknown keys are errors, not ignored. */
export const eventFilterSchema = z
  .strictObject({
    from: timestampString.optional(),
    to: timestampString.optional(),
    eventType: enumList(EVENT_TYPES).optional(),
    outcome: enumList(OUTCOMES).optional(),
    requesterType: enumList(REQUESTER_TYPES).optional(),
    requester: pattern(EVENT_LIMITS.requesterId).optional(),
    target: pattern(EVENT_LIMITS.targetId).optional(),
    service: pattern(EVENT_LIMITS.targetService).optional(),
    source: pattern(SOURCE_MAX).optional(),
    action: pattern(EVENT_LIMITS.action).optional(),
    correlationId: checkedString(checkCorrelationId).optional(),
    seqFrom: seq.optional(),
    seqTo: seq.optional(),
    q: freeText(256).optional(),
    hideOwnActivity: z.boolean({ error: "must be true or false" }).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && f.from >= f.to) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
    }
    if (f.seqFrom !== undefined && f.seqTo !== undefined && f.seqFrom > f.seqTo) {
      ctx.addIssue({ code: "custom", path: ["seqTo"], message: "must be ≥ seqFrom" });
    }
  })
  .transform((f): EventFilter => normalizeFilter(f));

export type FilterIssue = { param: string; detail: string };
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FilterIssue[] };

function issues(e: z.ZodError): FilterIssue[] {
  return e.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ param: k, detail: "is not a known filter field" }))
      : [{ param: i.path.length ? String(i.path[0]) : "(filter)", detail: i.message }],
  );
}

export function parseEventFilter(raw: unknown): ParseResult<EventFilter> {
  const r = eventFilterSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: issues(r.error) };
}

const LIST_PARAMS = new Set(["eventType", "outcome", "requesterType"]);
const FILTER_PARAMS = EVENT_FILTER_KEYS;

const BOOLEAN_PARAMS = new Set(["hideOwnActivity"]);

/** Reads the filter from query parameters; list parameters may repeat or be comma-separated. */
export function filterFromSearchParams(sp: URLSearchParams): ParseResult<EventFilter> {
  const raw: Record<string, unknown> = {};
  for (const name of FILTER_PARAMS) {
    const all = sp.getAll(name).filter((v) => v !== "");
    if (all.length === 0) continue;
    if (LIST_PARAMS.has(name)) raw[name] = all.flatMap((v) => v.split(",")).filter(Boolean);
    else if (all.length > 1) return { ok: false, errors: [{ param: name, detail: "may be given only once" }] };
    else if (BOOLEAN_PARAMS.has(name)) raw[name] = all[0] === "true" ? true : all[0] === "false" ? false : all[0];
    else raw[name] = all[0];
  }
  return parseEventFilter(raw);
}

/** The filter as query parameters (lists comma-joined), in a stable order for shareable URLs. */
export function filterToSearchParams(f: EventFilter, into = new URLSearchParams()): URLSearchParams {
  const n = normalizeFilter(f);
  for (const name of FILTER_PARAMS) {
    const v = n[name];
    if (v === undefined) continue;
    into.set(name, Array.isArray(v) ? v.join(",") : String(v));
  }
  return into;
}

export type PageRequest = { filter: EventFilter; sort: Sort; limit: number; cursor?: string };

/** The read API's query: filter, sort, limit and cursor. Unknown parameters are errors. */
export function pageRequestFromSearchParams(
  sp: URLSearchParams,
  opts: { allow?: string[] } = {},
): ParseResult<PageRequest> {
  const known = new Set<string>([...FILTER_PARAMS, "sort", "limit", "cursor", ...(opts.allow ?? [])]);
  const errors: FilterIssue[] = [];
  for (const k of new Set(sp.keys())) {
    if (!known.has(k)) errors.push({ param: k, detail: `is not a known parameter (known: ${[...known].join(", ")})` });
  }
  const filter = filterFromSearchParams(sp);
  if (!filter.ok) errors.push(...filter.errors);
  const sortRaw = sp.get("sort") ?? DEFAULT_SORT;
  if (!(SORTS as readonly string[]).includes(sortRaw))
    errors.push({ param: "sort", detail: `must be one of ${SORTS.join(", ")}` });
  let limit: number = PAGE_LIMIT.default;
  const limitRaw = sp.get("limit");
  if (limitRaw !== null) {
    limit = Number(limitRaw);
    if (!/^\d+$/.test(limitRaw) || limit < 1 || limit > PAGE_LIMIT.max) {
      errors.push({ param: "limit", detail: `must be a whole number from 1 to ${PAGE_LIMIT.max}` });
    }
  }
  const cursor = sp.get("cursor") ?? undefined;
  if (cursor !== undefined && (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor))) {
    errors.push({ param: "cursor", detail: "is not a cursor this API issued" });
  }
  if (errors.length || !filter.ok) return { ok: false, errors };
  return { ok: true, value: { filter: filter.value, sort: sortRaw as Sort, limit, cursor } };
}
