"use server";

import { revalidatePath } from "next/cache";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { runAction, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { createView, deleteSavedView, updateSavedView, type ViewListItem } from "@/lib/server/views/service.ts";

// The explorer's "Save view" / "Views" menu: the same use cases as /api/v1/views.
// Arguments come from the network; the use cases parse them with the API's schemas.

/** Saves the explorer's current query and columns under a name: the same use case as POST /api/v1/views. */
export async function saveViewAction(input: unknown): Promise<ActionResult<{ view: ViewListItem }>> {
  const p = await sessionPrincipal();
  return runAction("saveView", async () => {
    const view = await createView(await getRuntime(), p, input);
    revalidatePath("/");
    return { view };
  });
}

/** Shares/unshares or renames one's own view: the same use case as PATCH /api/v1/views/{id}. */
export async function updateViewAction(id: unknown, input: unknown): Promise<ActionResult<{ view: ViewListItem }>> {
  const p = await sessionPrincipal();
  return runAction("updateView", async () => {
    const view = await updateSavedView(await getRuntime(), p, str(id), input);
    revalidatePath("/");
    return { view };
  });
}

/** Deletes a view (its owner; an admin for a shared one): the same use case as DELETE /api/v1/views/{id}. */
export async function deleteViewAction(id: unknown): Promise<ActionResult<{ deleted: string }>> {
  const p = await sessionPrincipal();
  return runAction("deleteView", async () => {
    const out = await deleteSavedView(await getRuntime(), p, str(id));
    revalidatePath("/");
    return out;
  });
}
