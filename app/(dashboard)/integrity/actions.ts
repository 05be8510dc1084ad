"use server";

import { recordAudit } from "@/lib/server/audit-trail.ts";
import { AppError } from "@/lib/server/errors.ts";
import { actorOf, assertCan } from "@/lib/server/auth/principal.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { startFullPass } from "@/lib/server/integrity/index.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";

/** Starts a full verification pass (or reports the one already running). */
export async function startFullPassAction(): Promise<{ ok: true; runId: string } | { ok: false; error: string }> {
  try {
    const p = await sessionPrincipal();
    assertCan(p, "integrity:run");
    const ledger = await getLedger();
    // Same record as POST /api/v1/integrity/runs; fail closed if it cannot be written.
    await recordAudit(ledger, actorOf(p), {
      action: "integrity.verify",
      eventType: "execute",
      outcome: "success",
      target: { id: "ledgerline://integrity", type: "integrity" },
    });
    const runId = await startFullPass(ledger, { id: p.email });
    return { ok: true, runId: String(runId) };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, error: e.detail };
    console.error("[ledgerline] starting a full pass failed:", e);
    return { ok: false, error: "Could not start the verification; see the server log." };
  }
}
