import "server-only";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import { createView, deleteSavedView, listViews, updateSavedView } from "./service.ts";

// /api/v1/views: saved explorer views (named filter + columns), for people and scripts.

const MAX_BODY = 16 * 1024;

async function readJsonObject(req: Request): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? ""))
    throw new AppError("unsupported_media_type", 'Send the request as application/json: {"name": "…", …}.');
  const text = await readBodyLimited(req, MAX_BODY).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "payload_too_large")
      throw new AppError(
        "payload_too_large",
        `The request body exceeds ${MAX_BODY} bytes; a view is a name, a query and columns.`,
      );
    throw e;
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
}

export function viewRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/views — the caller's saved views and every shared one (events:read).
    list: endpoint(deps, async (_req, { requestId, rt, caller }) => {
      return json({ items: await listViews(rt, await caller()) }, 200, requestId);
    }),

    // POST /api/v1/views — save a view {name, query, columns, shared} (views:manage; recorded).
    create: endpoint(
      deps,
      async (req, { requestId, rt, caller }) =>
        json(await createView(rt, await caller(), await readJsonObject(req)), 201, requestId),
      { permission: "views:manage", sameOrigin: true },
    ),

    // PATCH /api/v1/views/{id} — rename and/or share/unshare one's own view (views:manage; sharing recorded).
    update: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) =>
        json(await updateSavedView(rt, await caller(), params.id, await readJsonObject(req)), 200, requestId),
      { permission: "views:manage", sameOrigin: true },
    ),

    // DELETE /api/v1/views/{id} — delete one's own view, or (admins) a shared one (recorded when shared).
    remove: endpoint<{ id: string }>(
      deps,
      async (_req, { requestId, rt, caller, params }) =>
        json(await deleteSavedView(rt, await caller(), params.id), 200, requestId),
      { permission: "views:manage", sameOrigin: true },
    ),
  };
}
