import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { viewTrace } from "./trace.ts";

// The trace API for scripts and incident tooling.

export function traceRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/traces/{correlationId} — the trace's ordered entries, lanes, service graph, gaps and clock findings (traces:read; audited).
    get: endpoint<{ correlationId: string }>(deps, async (_req, { requestId, rt, caller, params }) => {
      const principal = await caller();
      // An unknown id is an empty trace (200), not a 404: "nothing reported under this id" is an answer.
      return json(await viewTrace(rt, principal, params.correlationId), 200, requestId);
    }),
  };
}
