import "server-only";
import {
  EXPORT_FORMATS,
  pageRequestFromSearchParams,
  filterFromSearchParams,
  type FilterIssue,
} from "@/lib/schemas/event-filter.ts";
import { seqSchema } from "@/lib/schemas/api-params.ts";
import { AppError } from "../errors.ts";
import { endpoint, parseParam, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { exportEvents, type ExportFormat } from "./export.ts";
import { searchEvents, summarizeEvents, viewEvent } from "./search.ts";
import { pollTail, startTail } from "./tail.ts";

// The read API for scripts and SIEMs.

function badParams(errors: FilterIssue[]): AppError {
  const first = errors[0]!;
  return new AppError(
    "bad_request",
    `Query parameter ${first.param} ${first.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more problem(s))` : ""}.`,
    {
      errors: errors.map((e) => ({ parameter: e.param, detail: e.detail })),
    },
  );
}

export function eventRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/events — a keyset page of entries matching the filter: {items, nextCursor} (events:read; audited).
    list: endpoint(deps, async (req, { requestId, rt, caller }) => {
      const principal = await caller();
      const parsed = pageRequestFromSearchParams(new URL(req.url).searchParams);
      if (!parsed.ok) throw badParams(parsed.errors);
      const { filter, ...opts } = parsed.value;
      const page = await searchEvents(rt, principal, filter, opts);
      return json(page, 200, requestId);
    }),

    // GET /api/v1/events/export — the filter's entries as CSV or NDJSON, streamed (events:read; audited; bounded).
    export: endpoint(deps, async (req, { requestId, rt, caller }) => {
      const principal = await caller();
      const sp = new URL(req.url).searchParams;
      const parsed = pageRequestFromSearchParams(sp, { allow: ["format"] });
      const errors = parsed.ok ? [] : [...parsed.errors];
      const format = sp.get("format") ?? "csv";
      if (!(EXPORT_FORMATS as readonly string[]).includes(format))
        errors.push({ param: "format", detail: `must be one of ${EXPORT_FORMATS.join(", ")}` });
      for (const k of ["cursor", "limit"])
        if (sp.has(k)) errors.push({ param: k, detail: "is not used by an export (it streams every matching entry)" });
      if (errors.length || !parsed.ok) throw badParams(errors);
      const out = await exportEvents(rt, principal, parsed.value.filter, {
        format: format as ExportFormat,
        sort: parsed.value.sort,
      });
      return new Response(out.body, {
        status: 200,
        headers: {
          "content-type": out.contentType,
          "content-disposition": `attachment; filename="${out.filename}"`,
          "x-ledgerline-count": String(out.count),
          "x-content-type-options": "nosniff",
          "cache-control": "no-store",
          "x-request-id": requestId,
        },
      });
    }),

    // GET /api/v1/events/tail — live tail: without `tail`, start one (recorded once) → {tail, after}; with `tail` and `after`, the new entries (events:read).
    tail: endpoint(deps, async (req, { requestId, rt, caller }) => {
      const principal = await caller();
      const sp = new URL(req.url).searchParams;
      const parsed = filterFromSearchParams(sp);
      const after = sp.get("after");
      const errors: FilterIssue[] = parsed.ok ? [] : [...parsed.errors];
      if (after !== null && !/^\d{1,15}$/.test(after))
        errors.push({ param: "after", detail: "must be a seq (a whole number ≥ 0)" });
      const tail = sp.get("tail");
      if (tail !== null && after === null)
        errors.push({ param: "after", detail: "is required with tail (the last seq received)" });
      if (errors.length || !parsed.ok) throw badParams(errors);
      const out = tail
        ? await pollTail(rt, principal, parsed.value, tail, Number(after))
        : await startTail(rt, principal, parsed.value, after === null ? undefined : Number(after));
      return json(out, 200, requestId);
    }),

    // GET /api/v1/events/summary — histogram by outcome, top requesters and targets for the filter (events:read).
    summary: endpoint(deps, async (req, { requestId, rt, caller }) => {
      const principal = await caller();
      const parsed = filterFromSearchParams(new URL(req.url).searchParams);
      if (!parsed.ok) throw badParams(parsed.errors);
      return json(await summarizeEvents(rt, principal, parsed.value), 200, requestId);
    }),

    // GET /api/v1/events/{seq} — one entry, its canonical JSON, leaf hash and covering checkpoint (events:read; audited).
    get: endpoint<{ seq: string }>(deps, async (_req, { requestId, rt, caller, params }) => {
      const principal = await caller();
      const seq = parseParam(seqSchema, params.seq, "seq", (raw) => ({
        detail: "must be a positive integer",
        message: `The seq in the path must be a positive integer (got "${raw}").`,
      }));
      return json(await viewEvent(rt, principal, seq), 200, requestId);
    }),
  };
}
