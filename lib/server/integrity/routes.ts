import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { requestFullPass, viewIntegrityStatus, viewRun } from "./service.ts";

// /api/v1/integrity: status, start a full pass, one run.

export function integrityRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/integrity — verification status, key, checkpoint and run history (integrity:read; audited).
    getStatus: endpoint(deps, async (_req, { requestId, rt, caller }) =>
      json(await viewIntegrityStatus(rt, await caller()), 200, requestId),
    ),

    // POST /api/v1/integrity/runs — start a full pass: 202 {id}; 409 with the running id (integrity:run; audited).
    postRun: endpoint(
      deps,
      async (_req, { requestId, rt, caller }) => {
        const { id } = await requestFullPass(rt, await caller());
        return json({ id }, 202, requestId, { location: `/api/v1/integrity/runs/${id}` });
      },
      { permission: "integrity:run", sameOrigin: true },
    ),

    // GET /api/v1/integrity/runs/{id} — one run with its progress (integrity:read).
    getRun: endpoint<{ id: string }>(deps, async (_req, { requestId, rt, caller, params }) =>
      json(await viewRun(rt, await caller(), params.id), 200, requestId),
    ),
  };
}
