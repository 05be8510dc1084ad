import "server-only";
import { pageRequestFromSearchParams, filterFromSearchParams, type FilterIssue } from "@/lib/schemas/event-filter.ts";
import type { Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { json, route } from "../http/problem.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { searchEvents, summarizeEvents, viewEvent } from "./search.ts";

// The read API for scripts and SIEMs, over a ledger getter and a principal getter
// so integration tests run exactly the code the app mounts.

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

export function eventReadRoutes(
  getLedger: () => Promise<Ledger>,
  getPrincipal: (req: Request) => Promise<Principal | null>,
) {
  return {
    // GET /api/v1/events — a keyset page of entries matching the filter: {items, nextCursor} (events:read; audited).
    list: route(async (req, { requestId }) => {
      const principal = await getPrincipal(req);
      const parsed = pageRequestFromSearchParams(new URL(req.url).searchParams);
      if (!parsed.ok) throw badParams(parsed.errors);
      const { filter, ...opts } = parsed.value;
      const page = await searchEvents(await getLedger(), principal, filter, opts);
      return json(page, 200, requestId);
    }),

    // GET /api/v1/events/summary — histogram by outcome, top requesters and targets for the filter (events:read).
    summary: route(async (req, { requestId }) => {
      const principal = await getPrincipal(req);
      const parsed = filterFromSearchParams(new URL(req.url).searchParams);
      if (!parsed.ok) throw badParams(parsed.errors);
      return json(await summarizeEvents(await getLedger(), principal, parsed.value), 200, requestId);
    }),

    // GET /api/v1/events/{seq} — one entry, its canonical JSON, leaf hash and covering checkpoint (events:read; audited).
    get: route<{ params: Promise<{ seq: string }> }>(async (req, { requestId, params }) => {
      const principal = await getPrincipal(req);
      const { seq } = await params;
      if (!/^\d{1,15}$/.test(seq) || Number(seq) < 1) {
        throw new AppError(
          "bad_request",
          `The seq in the path must be a positive integer (got "${seq.slice(0, 40)}").`,
          {
            errors: [{ parameter: "seq", detail: "must be a positive integer" }],
          },
        );
      }
      return json(await viewEvent(await getLedger(), principal, Number(seq)), 200, requestId);
    }),
  };
}
