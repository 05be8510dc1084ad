"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { markReviewed, runReview, scheduleReview } from "@/lib/server/reviews/service.ts";
import { scheduleTemplate } from "@/lib/server/reviews/templates.ts";

// Review packs from the dashboard. The use cases check the permission again, validate the
// input (zod) and append the log entry before anything changes.

export async function scheduleReviewAction(input: {
  viewId: string;
  frequency: string;
  cron: string;
  timeZone: string;
}): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("scheduleReview", async () => {
    const cron = str(input?.cron).trim();
    const s = await scheduleReview(await getRuntime(), signedIn(p), {
      viewId: str(input?.viewId),
      frequency: str(input?.frequency),
      ...(str(input?.frequency) === "cron" ? { cron } : {}),
      timeZone: str(input?.timeZone).trim(),
    });
    revalidatePath("/reviews");
    return { id: s.id };
  });
}

export async function scheduleTemplateAction(
  template: string,
  timeZone: string,
): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("scheduleTemplate", async () => {
    const s = await scheduleTemplate(await getRuntime(), signedIn(p), {
      template: str(template),
      timeZone: str(timeZone).trim() || "UTC",
    });
    revalidatePath("/reviews");
    return { id: s.id };
  });
}

export async function runReviewAction(scheduleId: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("runReview", async () => {
    const r = await runReview(await getRuntime(), signedIn(p), { scheduleId: str(scheduleId) });
    revalidatePath("/reviews");
    return { id: r.pack.id };
  });
}

export async function signOffAction(packId: string, comment: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("markReviewed", async () => {
    const pack = await markReviewed(await getRuntime(), signedIn(p), str(packId), { comment: str(comment) });
    revalidatePath("/reviews");
    return { id: pack.id };
  });
}
