"use server";

import { runAction, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { requestFullPass } from "@/lib/server/integrity/index.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

/** Starts a full verification pass (or reports the one already running): the same use case as POST /api/v1/integrity/runs. */
export async function startFullPassAction(): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("startFullPass", async () => requestFullPass(await getRuntime(), p));
}
