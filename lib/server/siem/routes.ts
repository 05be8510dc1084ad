import "server-only";
import { uuidSchema } from "@/lib/schemas/api-params.ts";
import { AppError } from "../errors.ts";
import { endpoint, parseParam, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readJsonObject } from "../http/json-body.ts";
import {
  createSiemDestination,
  deleteSiemDestination,
  listSiemDestinations,
  replaySiemDestination,
  setSiemDestinationState,
} from "./service.ts";

// /api/v1/siem/destinations: SIEM streaming destinations (docs/siem.md). Changes are
// admins' (siem:manage, same-origin sessions), reads admins' and auditors' (siem:read).

const readJson = (req: Request, example: string) => readJsonObject(req, example);

const destinationId = (id: string | undefined) =>
  parseParam(uuidSchema, id, "id", (raw) => ({
    detail: "a destination id (UUID)",
    message: `"${raw}" is not a destination id; list them with GET /api/v1/siem/destinations.`,
  }));

export function siemRoutes(deps: ApiDeps) {
  const manage = { permission: "siem:manage", sameOrigin: true } as const;
  return {
    // GET /api/v1/siem/destinations — every destination with cursor, lag, state and last error (siem:read).
    list: endpoint(
      deps,
      async (_req, { requestId, rt, caller }) =>
        json(await listSiemDestinations(rt, (await caller())!), 200, requestId),
      { permission: "siem:read" },
    ),

    // POST /api/v1/siem/destinations — create one (siem:manage; audited, the secret never echoed).
    create: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const body = await readJson(req, '{"name":"splunk-prod","kind":"splunk-hec","url":"https://…","secret":"…"}');
        return json(await createSiemDestination(rt, (await caller())!, body as never), 201, requestId);
      },
      manage,
    ),

    // DELETE /api/v1/siem/destinations/{id} — remove one (siem:manage; audited with its cursor).
    remove: endpoint<{ id: string }>(
      deps,
      async (_req, { requestId, rt, caller, params }) =>
        json(await deleteSiemDestination(rt, (await caller())!, destinationId(params.id)), 200, requestId),
      manage,
    ),

    // POST /api/v1/siem/destinations/{id}/replay — {"fromSeq": N}: send again from N (siem:manage; audited).
    replay: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const id = destinationId(params.id);
        const body = await readJson(req, '{"fromSeq": 1}');
        return json(
          await replaySiemDestination(rt, (await caller())!, id, body as { fromSeq: number }),
          200,
          requestId,
        );
      },
      manage,
    ),

    // POST /api/v1/siem/destinations/{id}/state — {"state":"active"|"paused"}: resume (also after a dead letter) or pause.
    setState: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const id = destinationId(params.id);
        const { state } = await readJson(req, '{"state":"active"}');
        if (state !== "active" && state !== "paused")
          throw new AppError("bad_request", 'state must be "active" (resume) or "paused".', {
            errors: [{ pointer: "/state", detail: 'one of "active", "paused"' }],
          });
        return json(await setSiemDestinationState(rt, (await caller())!, id, state), 200, requestId);
      },
      manage,
    ),
  };
}
