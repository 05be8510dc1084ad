import "server-only";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { recordAudit } from "../audit-trail.ts";
import { AppError } from "../errors.ts";
import { assertSameOrigin } from "../http/csrf.ts";
import { json, route } from "../http/problem.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { INTEGRITY_TARGET } from "./alerts.ts";
import { viewIntegrityStatus, viewRun } from "./status.ts";
import { runningRun, startFullPass } from "./verifier.ts";

// /api/v1/integrity handlers, built over a ledger getter and a principal getter
// so integration tests run exactly the code the app mounts.

export function integrityRoutes(
  getLedger: () => Promise<Ledger>,
  getPrincipal: (req: Request) => Promise<Principal | null>,
) {
  return {
    // GET /api/v1/integrity — verification status, key, checkpoint and run history (integrity:read; audited).
    getStatus: route(async (req, { requestId }) => {
      const ledger = await getLedger();
      return json(await viewIntegrityStatus(ledger, await getPrincipal(req)), 200, requestId);
    }),

    // POST /api/v1/integrity/runs — start a full pass: 202 {id}; 409 with the running id (integrity:run; audited).
    postRun: route(async (req, { requestId }) => {
      const ledger = await getLedger();
      const p = await getPrincipal(req);
      assertCan(p, "integrity:run");
      assertSameOrigin(req);
      const running = runningRun(ledger);
      if (running?.mode === "full") {
        throw new AppError("conflict", `A full verification pass is already running (run ${running.id}).`, {
          id: running.id,
        });
      }
      // Fail closed: a pass nobody can see requested is not started.
      await recordAudit(ledger, actorOf(p), {
        action: "integrity.verify",
        eventType: "execute",
        outcome: "success",
        target: { id: INTEGRITY_TARGET, type: "integrity" },
      });
      let id: string;
      try {
        id = await startFullPass(ledger, { id: p.email });
      } catch (e) {
        if (e instanceof AppError && e.code === "conflict")
          throw new AppError("conflict", e.detail, { id: e.extras.runId });
        throw e;
      }
      return json({ id }, 202, requestId, { location: `/api/v1/integrity/runs/${id}` });
    }),

    // GET /api/v1/integrity/runs/{id} — one run with its progress (integrity:read).
    getRun: route<{ params: Promise<{ id: string }> }>(async (req, { requestId, params }) => {
      const ledger = await getLedger();
      const { id } = await params;
      return json(await viewRun(ledger, await getPrincipal(req), id), 200, requestId);
    }),
  };
}
