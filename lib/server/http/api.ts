import "server-only";
import { authRoutes } from "../auth/routes.ts";
import { requestPrincipal } from "../auth/session.ts";
import { bundleRoutes } from "../bundles/routes.ts";
import { eventRoutes } from "../events/routes.ts";
import { ingestRoutes } from "../ingest/routes.ts";
import { integrationRoutes } from "../integrations/routes.ts";
import { integrityRoutes } from "../integrity/routes.ts";
import { getRuntime } from "../runtime/runtime.ts";
import { siemRoutes } from "../siem/routes.ts";
import { alertRoutes } from "../alerts/routes.ts";
import { tlogRoutes } from "../tlog/routes.ts";
import { traceRoutes } from "../traces/routes.ts";
import { transparencyRoutes } from "../transparency/routes.ts";
import { viewRoutes } from "../views/routes.ts";
import { reviewRoutes } from "../reviews/routes.ts";
import type { ApiDeps } from "./endpoint.ts";
import { retentionRoutes } from "../retention/routes.ts";

// The one mount of /api/v1 (and of /tlog/, the tiles API). Every feature folder exports `xRoutes(deps)`; this
// file assembles them by resource, from one set of dependencies. The app's
// route files (app/api/v1/**/route.ts) are one line each, `export const GET =
// api.events.list`; integration tests call buildApi with their own runtime and
// caller (test/support/stores.ts: testApi).

export function buildApi(deps: ApiDeps) {
  const events = eventRoutes(deps);
  const transparency = transparencyRoutes(deps);
  const integrations = integrationRoutes(deps);
  const integrity = integrityRoutes(deps);
  return {
    events: {
      post: ingestRoutes(deps).postEvents,
      list: events.list,
      summary: events.summary,
      get: events.get,
      export: events.export,
      tail: events.tail,
    },
    checkpoint: { get: transparency.getCheckpoint },
    keys: { get: transparency.getKeys },
    proofs: { inclusion: transparency.getInclusionProof, consistency: transparency.getConsistencyProof },
    traces: traceRoutes(deps),
    views: viewRoutes(deps),
    reviews: reviewRoutes(deps),
    bundles: bundleRoutes(deps),
    integrity: {
      get: integrity.getStatus,
      startRun: integrity.postRun,
      getRun: integrity.getRun,
      acknowledge: integrity.postAcknowledgement,
    },
    otlp: { postLogs: integrations.postOtlpLogs },
    k8s: { postAudit: integrations.postK8sAudit },
    me: { get: authRoutes(deps).getMe },
    retention: retentionRoutes(deps),
    siem: siemRoutes(deps),
    alerts: alertRoutes(deps),
    /** /tlog/* — the C2SP tlog-tiles read API (outside /api/v1: its paths are the spec's). */
    tlog: { get: tlogRoutes(deps).get },
  };
}

export type Api = ReturnType<typeof buildApi>;

/** /api/v1 as the Next.js server mounts it: the process's runtime, the request's session or read token. */
export const api: Api = buildApi({ runtime: getRuntime, principal: requestPrincipal });
