import "server-only";
import { endpoint, type ApiDeps } from "../http/endpoint.ts";
import { json } from "../http/problem.ts";
import { ingest } from "./ingest.ts";

// The native ingest route. (OTLP and Kubernetes audit: lib/server/integrations.)

export function ingestRoutes(deps: ApiDeps) {
  return {
    // POST /api/v1/events — ingest one event, a JSON array, or NDJSON (SPEC §1).
    postEvents: endpoint(deps, async (req, { requestId, rt }) => {
      const r = await ingest(rt, req);
      return json(r.body, r.status, requestId);
    }),
  };
}
