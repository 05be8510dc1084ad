"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { createReadToken, revokeReadToken } from "@/lib/server/auth/read-tokens.ts";

// Personal read tokens from the dashboard. The data-access layer checks
// tokens:manage again and appends the meta-audit entry.

export async function createReadTokenAction(input: {
  email: string;
  name?: string;
  scopes?: string[];
}): Promise<ActionResult<{ id: string; token: string; email: string; scopes: string[] }>> {
  const p = await sessionPrincipal();
  return runAction("createReadToken", async () => {
    // From the network: only strings, at most a handful; createReadToken refuses unknown or over-role scopes.
    const scopes = (Array.isArray(input?.scopes) ? input.scopes : []).slice(0, 10).map(str);
    const t = await createReadToken(
      await getRuntime(),
      signedIn(p),
      str(input?.email),
      str(input?.name) || undefined,
      scopes,
    );
    revalidatePath("/admin/tokens");
    return t;
  });
}

export async function revokeReadTokenAction(id: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("revokeReadToken", async () => {
    await revokeReadToken(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/admin/tokens");
    return { id: str(id) };
  });
}
