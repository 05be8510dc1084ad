"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { AppError } from "@/lib/server/errors.ts";
import {
  deleteRetentionPolicy,
  placeLegalHold,
  releaseLegalHold,
  setRetentionPolicy,
} from "@/lib/server/retention/policies.ts";
import { runPrune, type PruneReport } from "@/lib/server/retention/prune.ts";

// Retention from the dashboard. The use cases check retention:manage again, validate
// the input (zod) and append the meta-audit entry before anything changes.

function filterOf(text: unknown): unknown {
  const t = str(text).trim();
  if (!t) return {};
  try {
    return JSON.parse(t);
  } catch {
    throw new AppError("bad_request", `The filter is not valid JSON (e.g. {"service": "payments"}).`);
  }
}

export async function setPolicyAction(input: {
  name: string;
  days: string;
  forever: boolean;
  filter: string;
  belowPci: boolean;
  archive?: boolean;
}): Promise<ActionResult<{ name: string }>> {
  const p = await sessionPrincipal();
  return runAction("setRetentionPolicy", async () => {
    const days = input?.forever === true ? null : Number(str(input?.days));
    const r = await setRetentionPolicy(await getRuntime(), signedIn(p), str(input?.name), {
      filter: filterOf(input?.filter),
      days,
      belowPciAcknowledged: input?.belowPci === true,
      archive: input?.archive === true,
    });
    revalidatePath("/admin/retention");
    return { name: r.name };
  });
}

export async function deletePolicyAction(name: string): Promise<ActionResult<{ name: string }>> {
  const p = await sessionPrincipal();
  return runAction("deleteRetentionPolicy", async () => {
    await deleteRetentionPolicy(await getRuntime(), signedIn(p), str(name));
    revalidatePath("/admin/retention");
    return { name: str(name) };
  });
}

export async function placeHoldAction(input: {
  filter: string;
  reason: string;
  caseRef: string;
}): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("placeLegalHold", async () => {
    const h = await placeLegalHold(await getRuntime(), signedIn(p), {
      filter: filterOf(input?.filter),
      reason: str(input?.reason),
      caseRef: str(input?.caseRef),
    });
    revalidatePath("/admin/retention");
    return { id: h.id };
  });
}

export async function releaseHoldAction(id: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("releaseLegalHold", async () => {
    await releaseLegalHold(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/admin/retention");
    return { id: str(id) };
  });
}

export async function pruneAction(dryRun: boolean): Promise<ActionResult<{ report: PruneReport }>> {
  const p = await sessionPrincipal();
  return runAction("prune", async () => {
    const report = await runPrune(await getRuntime(), signedIn(p), { dryRun: dryRun !== false });
    if (!report.dryRun) revalidatePath("/admin/retention");
    return { report };
  });
}
