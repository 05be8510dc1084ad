"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { createIngestKey, revokeIngestKey, type IngestKeyInfo } from "@/lib/server/ingest/ingest-keys.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

// Ingest-key administration from the dashboard. The data-access layer checks
// keys:manage again and appends the meta-audit entry.

export async function createIngestKeyAction(input: {
  source: string;
  description?: string;
}): Promise<ActionResult<{ id: string; key: string; source: string }>> {
  const p = await sessionPrincipal();
  return runAction("createIngestKey", async () => {
    const k = await createIngestKey(
      await getRuntime(),
      signedIn(p),
      str(input?.source).trim(),
      str(input?.description) || undefined,
    );
    revalidatePath("/admin/keys");
    return k;
  });
}

export async function revokeIngestKeyAction(id: string): Promise<ActionResult<{ key: IngestKeyInfo }>> {
  const p = await sessionPrincipal();
  return runAction("revokeIngestKey", async () => {
    const key = await revokeIngestKey(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/admin/keys");
    return { key };
  });
}
