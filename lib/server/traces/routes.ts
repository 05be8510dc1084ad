import "server-only";
import { tracePageRequestFromSearchParams } from "@/lib/schemas/trace-search.ts";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { searchTraces } from "./search.ts";
import { viewTrace } from "./trace.ts";

// The trace API for scripts and incident tooling.

export function traceRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/traces — a keyset page of traces (newest last entry first) by service, time and status (traces:read; audited).
    list: endpoint(deps, async (req, { requestId, rt, caller }) => {
      const principal = await caller();
      const parsed = tracePageRequestFromSearchParams(new URL(req.url).searchParams);
      if (!parsed.ok) {
        const first = parsed.errors[0]!;
        throw new AppError(
          "bad_request",
          `Query parameter ${first.param} ${first.detail}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more problem(s))` : ""}.`,
          { errors: parsed.errors.map((e) => ({ parameter: e.param, detail: e.detail })) },
        );
      }
      const { query, ...opts } = parsed.value;
      return json(await searchTraces(rt, principal, query, opts), 200, requestId);
    }),

    // GET /api/v1/traces/{correlationId} — the trace's ordered entries, lanes, service graph, gaps and clock findings (traces:read; audited).
    get: endpoint<{ correlationId: string }>(deps, async (_req, { requestId, rt, caller, params }) => {
      const principal = await caller();
      // An unknown id is an empty trace (200), not a 404: "nothing reported under this id" is an answer.
      return json(await viewTrace(rt, principal, params.correlationId), 200, requestId);
    }),
  };
}
