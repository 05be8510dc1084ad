"use server";

import { revalidatePath } from "next/cache";
import type { AlertChannel, AlertRuleInput } from "@/lib/schemas/alerts.ts";
import {
  acknowledgeAlert,
  createAlertRule,
  deleteAlertRule,
  evaluateAlertsNow,
  resolveAlert,
  retryAlertDelivery,
} from "@/lib/server/alerts/service.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { AppError } from "@/lib/server/errors.ts";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

// /alerts from the dashboard. The use cases check the permission again, validate the
// input (zod) and append the log entry before anything changes.

export async function acknowledgeAction(id: string, comment: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("acknowledgeAlert", async () => {
    const c = str(comment).trim();
    await acknowledgeAlert(await getRuntime(), signedIn(p), str(id), c ? { comment: c } : {});
    revalidatePath("/alerts");
    return { id: str(id) };
  });
}

export async function resolveAction(id: string, comment: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("resolveAlert", async () => {
    const c = str(comment).trim();
    await resolveAlert(await getRuntime(), signedIn(p), str(id), c ? { comment: c } : {});
    revalidatePath("/alerts");
    return { id: str(id) };
  });
}

export type RuleForm = {
  name: string;
  filter: string;
  kind: string;
  windowMinutes: string;
  threshold: string;
  factor: string;
  minCount: string;
  minutes: string;
  webhook: string;
  slack: string;
  email: string;
};

function conditionOf(f: RuleForm): unknown {
  const n = (v: string) => (str(v).trim() === "" ? undefined : Number(v));
  const kind = str(f.kind);
  if (kind === "count") return { kind, windowMinutes: n(f.windowMinutes), threshold: n(f.threshold) };
  if (kind === "baseline")
    return { kind, windowMinutes: n(f.windowMinutes), factor: n(f.factor), minCount: n(f.minCount) };
  if (kind === "silent") return { kind, minutes: n(f.minutes) };
  return { kind };
}

function channelsOf(f: RuleForm): AlertChannel[] {
  const out: AlertChannel[] = [];
  if (str(f.webhook).trim()) out.push({ kind: "webhook", url: str(f.webhook).trim() });
  if (str(f.slack).trim()) out.push({ kind: "slack", url: str(f.slack).trim() });
  const to = str(f.email)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (to.length) out.push({ kind: "email", to });
  return out;
}

export async function createRuleAction(f: RuleForm): Promise<ActionResult<{ name: string }>> {
  const p = await sessionPrincipal();
  return runAction("createAlertRule", async () => {
    let filter: unknown = {};
    if (str(f?.filter).trim()) {
      try {
        filter = JSON.parse(str(f.filter));
      } catch {
        throw new AppError("bad_request", 'The filter is not valid JSON (e.g. {"outcome": ["denied"]}).');
      }
    }
    const input = { name: str(f?.name), filter, condition: conditionOf(f), channels: channelsOf(f) };
    const r = await createAlertRule(await getRuntime(), signedIn(p), input as AlertRuleInput);
    revalidatePath("/alerts");
    return { name: r.name };
  });
}

export async function deleteRuleAction(id: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("deleteAlertRule", async () => {
    await deleteAlertRule(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/alerts");
    return { id: str(id) };
  });
}

export async function retryDeliveryAction(id: string): Promise<ActionResult<{ id: string }>> {
  const p = await sessionPrincipal();
  return runAction("retryAlertDelivery", async () => {
    await retryAlertDelivery(await getRuntime(), signedIn(p), str(id));
    revalidatePath("/alerts");
    return { id: str(id) };
  });
}

export async function evaluateAction(): Promise<ActionResult<{ fired: number; rules: number }>> {
  const p = await sessionPrincipal();
  return runAction("evaluateAlerts", async () => {
    const r = await evaluateAlertsNow(await getRuntime(), signedIn(p));
    revalidatePath("/alerts");
    return { fired: r.fired, rules: r.rules };
  });
}
