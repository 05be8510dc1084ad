import "server-only";
import { AppError } from "../errors.ts";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { readBodyLimited } from "../ingest/ingest.ts";
import { getPack, listReviews, markReviewed, runReview, scheduleReview } from "./service.ts";
import { scheduleTemplate } from "./templates.ts";

// /api/v1/reviews: review schedules, their packs and sign-offs (docs/reviews.md).

const MAX_BODY = 8 * 1024;

async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? ""))
    throw new AppError("unsupported_media_type", "Send the request as application/json.");
  const text = await readBodyLimited(req, MAX_BODY).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "payload_too_large")
      throw new AppError("payload_too_large", `The request body exceeds ${MAX_BODY} bytes.`);
    throw e;
  });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new AppError("bad_request", "The body must be a JSON object.");
  return v as Record<string, unknown>;
}

export function reviewRoutes(deps: ApiDeps) {
  return {
    // GET /api/v1/reviews — schedules (with their next run) and the latest packs (reviews:read).
    list: endpoint(deps, async (_req, { requestId, rt, caller }) =>
      json(await listReviews(rt, await caller()), 200, requestId),
    ),

    // POST /api/v1/reviews/schedules — schedule a saved view {viewId, frequency, cron?, timeZone, name?} (reviews:manage; recorded).
    schedule: endpoint(
      deps,
      async (req, { requestId, rt, caller }) => {
        const body = await readJsonObject(req);
        const s =
          typeof body.template === "string"
            ? await scheduleTemplate(rt, await caller(), {
                template: body.template,
                timeZone: typeof body.timeZone === "string" ? body.timeZone : undefined,
              })
            : await scheduleReview(rt, await caller(), body);
        return json(s, 201, requestId);
      },
      { permission: "reviews:manage", sameOrigin: true },
    ),

    // POST /api/v1/reviews/schedules/{id}/run — run the last ended period now {at?} (reviews:manage; recorded).
    run: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) => {
        const body = req.headers.get("content-length") === "0" ? {} : await readJsonObject(req).catch(() => ({}));
        const at = typeof body.at === "string" ? body.at : undefined;
        const r = await runReview(rt, await caller(), { scheduleId: params.id, at });
        return json(r, r.created ? 201 : 200, requestId);
      },
      { permission: "reviews:manage", sameOrigin: true },
    ),

    // GET /api/v1/reviews/packs/{id} — one pack: period, bundle status, sign-off (reviews:read).
    pack: endpoint<{ id: string }>(deps, async (_req, { requestId, rt, caller, params }) =>
      json(await getPack(rt, await caller(), params.id), 200, requestId),
    ),

    // POST /api/v1/reviews/packs/{id}/signoff — mark a ready pack reviewed {comment} (reviews:signoff; logged).
    signoff: endpoint<{ id: string }>(
      deps,
      async (req, { requestId, rt, caller, params }) =>
        json(await markReviewed(rt, await caller(), params.id, await readJsonObject(req)), 200, requestId),
      { permission: "reviews:signoff", sameOrigin: true },
    ),
  };
}
