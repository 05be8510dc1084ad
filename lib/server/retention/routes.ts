import "server-only";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import {
  deleteRetentionPolicy,
  listRetention,
  placeLegalHold,
  releaseLegalHold,
  setRetentionPolicy,
} from "./policies.ts";
import { runPrune } from "./prune.ts";

// /api/v1/retention: policies, legal holds and the prune job (docs/retention.md).
// Admins only (retention:manage); every change is a meta-audit entry, made by the use case.

async function readJson(req: Request, example: string): Promise<unknown> {
  const text = await readBodyLimited(req, 32 * 1024);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", `The body is not valid JSON; send e.g. ${example}.`);
  }
}

export function retentionRoutes(deps: ApiDeps) {
  const admin = { permission: "retention:manage", sameOrigin: true } as const;
  return {
    // GET /api/v1/retention — every policy and legal hold (retention:manage).
    get: endpoint(
      deps,
      async (_req, { requestId, rt, caller }) => json(await listRetention(rt, await caller()), 200, requestId),
      { permission: "retention:manage" },
    ),

    // PUT /api/v1/retention/policies/{name} — create or change a policy {filter, days, belowPciAcknowledged?} (audited).
    putPolicy: endpoint<{ name: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const body = await readJson(req, '{"filter": {"source": "payments"}, "days": 400}');
        return json(await setRetentionPolicy(rt, await caller(), params.name, body), 200, requestId);
      },
      admin,
    ),

    // DELETE /api/v1/retention/policies/{name} — delete a named policy; its entries fall back to the default (audited).
    deletePolicy: endpoint<{ name: string }>(
      deps,
      async (_req, { requestId, rt, caller, params }) => {
        await deleteRetentionPolicy(rt, await caller(), params.name);
        return json({ name: params.name, deleted: true }, 200, requestId);
      },
      admin,
    ),

    // POST /api/v1/retention/holds — place a legal hold {filter, reason, caseRef} (audited).
    postHold: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const body = await readJson(req, '{"filter": {"requester": "alice"}, "reason": "…", "caseRef": "CASE-1"}');
        return json(await placeLegalHold(rt, await caller(), body), 201, requestId);
      },
      admin,
    ),

    // POST /api/v1/retention/holds/{id}/release — release a legal hold {reason?} (audited).
    releaseHold: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const body = (await readJson(req, '{"reason": "case closed"}')) as { reason?: unknown };
        const reason = typeof body.reason === "string" ? body.reason.slice(0, 1000) : undefined;
        return json(await releaseLegalHold(rt, await caller(), params.id, reason), 200, requestId);
      },
      admin,
    ),

    // POST /api/v1/retention/prune — {dryRun: true} (the default) answers the counts per policy; false prunes (receipts first).
    postPrune: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const body = (await readJson(req, '{"dryRun": true}')) as { dryRun?: unknown };
        if (body.dryRun !== undefined && typeof body.dryRun !== "boolean")
          throw new AppError("bad_request", "dryRun must be true or false.");
        return json(await runPrune(rt, await caller(), { dryRun: body.dryRun !== false }), 200, requestId);
      },
      admin,
    ),
  };
}
