import "server-only";
import type { Principal } from "../auth/principal.ts";
import { json, route } from "../http/problem.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { viewTrace } from "./trace.ts";

// The trace API for scripts and incident tooling, over a ledger getter and a
// principal getter so integration tests run exactly the code the app mounts.

export function traceRoutes(
  getLedger: () => Promise<Ledger>,
  getPrincipal: (req: Request) => Promise<Principal | null>,
) {
  return {
    // GET /api/v1/traces/{correlationId} — the trace's ordered entries, lanes, service graph, gaps and clock findings (traces:read; audited).
    get: route<{ params: Promise<{ correlationId: string }> }>(async (req, { requestId, params }) => {
      const principal = await getPrincipal(req);
      const { correlationId } = await params;
      // An unknown id is an empty trace (200), not a 404: "nothing reported under this id" is an answer.
      return json(await viewTrace(await getLedger(), principal, correlationId), 200, requestId);
    }),
  };
}
