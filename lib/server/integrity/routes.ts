import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { acknowledgeDeletedSchema } from "@/lib/schemas/api-params.ts";
import { AppError } from "../errors.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import { acknowledgeDeletedCheckpoints, requestFullPass, viewIntegrityStatus, viewRun } from "./service.ts";

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

    // POST /api/v1/integrity/acknowledgements — an admin acknowledges deleted checkpoints {treeSizes, reason} (integrity:acknowledge; audited).
    postAcknowledgement: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const input = await readAcknowledgement(req);
        return json(await acknowledgeDeletedCheckpoints(rt, await caller(), input), 200, requestId);
      },
      { permission: "integrity:acknowledge", sameOrigin: true },
    ),

    // GET /api/v1/integrity/runs/{id} — one run with its progress (integrity:read).
    getRun: endpoint<{ id: string }>(deps, async (_req, { requestId, rt, caller, params }) =>
      json(await viewRun(rt, await caller(), params.id), 200, requestId),
    ),
  };
}

async function readAcknowledgement(req: Request): Promise<{ treeSizes: number[]; reason: string }> {
  const text = await readBodyLimited(req, 16 * 1024);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", 'The body is not valid JSON; send {"treeSizes": [300], "reason": "…"}.');
  }
  const r = acknowledgeDeletedSchema.safeParse(body);
  if (!r.success) {
    throw new AppError("bad_request", `The acknowledgement is not valid: ${r.error.issues[0]!.message}.`, {
      errors: r.error.issues.map((i) => ({ pointer: `/${i.path.join("/")}`, detail: i.message })),
    });
  }
  return r.data;
}
