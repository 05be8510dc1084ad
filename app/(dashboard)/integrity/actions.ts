"use server";

import { runAction, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { acknowledgeDeletedSchema } from "@/lib/schemas/api-params.ts";
import { AppError } from "@/lib/server/errors.ts";
import { acknowledgeDeletedCheckpoints, requestFullPass } from "@/lib/server/integrity/index.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

/** Starts a full verification pass (or reports the one already running): the same use case as POST /api/v1/integrity/runs. */
export async function startFullPassAction(): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("startFullPass", async () => requestFullPass(await getRuntime(), p));
}

/** An admin acknowledges deleted checkpoints: the same use case as POST /api/v1/integrity/acknowledgements. */
export async function acknowledgeDeletedAction(
  treeSizes: unknown,
  reason: unknown,
): Promise<ActionResult<{ acknowledged: number[] }>> {
  const p = await sessionPrincipal();
  return runAction("acknowledgeDeleted", async () => {
    const input = acknowledgeDeletedSchema.safeParse({ treeSizes, reason });
    if (!input.success) throw new AppError("bad_request", `Cannot acknowledge: ${input.error.issues[0]!.message}.`);
    return acknowledgeDeletedCheckpoints(await getRuntime(), p, input.data);
  });
}
