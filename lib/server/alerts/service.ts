import "server-only";
import crypto from "node:crypto";
import { alertNoteSchema, alertRuleInputSchema, type AlertRuleInput } from "@/lib/schemas/alerts.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { nowIso } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { logHead } from "../ledger/store/entries.ts";
import { rollupAnswers } from "./counts.ts";
import { deliveriesOf, retryDelivery, type Delivery } from "./delivery-store.ts";
import type { AlertEngine } from "./engine.ts";
import { acknowledgeAlertRow, ALERTS_SOURCE, resolveAlertRow } from "./states.ts";
import {
  alertById,
  deleteRule,
  insertRule,
  listRules,
  openAlerts,
  recentAlerts,
  ruleById,
  ruleByName,
  setRuleEnabled,
  type AlertRow,
  type AlertRule,
} from "./store.ts";

// The alert use cases, shared by /api/v1/alerts, the /alerts page and `ledgerline alerts`:
// each takes the principal, checks it, records the change in the log, then does it.

export type AlertsRuntime = Ledger & { alerts: AlertEngine };

export type RuleView = AlertRule & { readsRollup: boolean };
export type AlertView = AlertRow & { deliveries: Delivery[] };

function invalid(what: string, issues: Array<{ path: PropertyKey[]; message: string }>): AppError {
  return new AppError(
    "validation",
    `${what}: ${issues.map((i) => `${i.path.join(".") || "(body)"} ${i.message}`).join("; ")}.`,
    {
      title: `Invalid ${what}`,
      errors: issues.map((i) => ({ pointer: `/${i.path.map(String).join("/")}`, detail: i.message })),
    },
  );
}

const ruleAudit = (rule: Pick<AlertRule, "id" | "name">) => ({
  target: { id: `ledgerline://alerts/rules/${rule.name}`, type: "alert-rule" },
  base: { ruleId: rule.id, ruleName: rule.name },
});

export async function listAlertRules(ledger: Ledger, p: Principal): Promise<RuleView[]> {
  assertCan(p, "alerts:read");
  return (await listRules(ledger.db)).map((r) => ({ ...r, readsRollup: rollupAnswers(r.filter) }));
}

export async function createAlertRule(ledger: Ledger, p: Principal, input: AlertRuleInput) {
  assertCan(p, "alerts:manage");
  const r = alertRuleInputSchema.safeParse(input);
  if (!r.success) throw invalid("alert rule", r.error.issues);
  const spec = r.data;
  const timeKeys = (["from", "to", "seqFrom", "seqTo"] as const).filter((k) => spec.filter[k] !== undefined);
  if (timeKeys.length)
    throw invalid("alert rule", [
      { path: ["filter", timeKeys[0]!], message: "is set by the rule's window; leave from, to, seqFrom and seqTo out" },
    ]);
  if (await ruleByName(ledger.db, spec.name))
    throw new AppError("conflict", `An alert rule named ${spec.name} exists already; pick another name or remove it.`);
  const id = crypto.randomUUID();
  // Integrity rules report failures logged from now on, not the history's.
  const cursorSeq = spec.condition.kind === "integrity" ? await logHead(ledger.db) : 0;
  const { target, base } = ruleAudit({ id, name: spec.name });
  await recordAudit(ledger, actorOf(p), {
    action: "alert.rule.create",
    eventType: "write",
    outcome: "success",
    target,
    attributes: { ...base, filter: spec.filter, condition: spec.condition, channels: spec.channels.map((c) => c.kind) },
  });
  await insertRule(ledger.db, { id, ...spec, cursorSeq, createdBy: p.email }, nowIso());
  return { id, name: spec.name, readsRollup: rollupAnswers(spec.filter) };
}

async function mustFindRule(ledger: Ledger, id: string): Promise<AlertRule> {
  const rule = await ruleById(ledger.db, id);
  if (!rule) throw new AppError("not_found", `No alert rule ${id}. List them with GET /api/v1/alerts/rules.`);
  return rule;
}

/** Disabling a rule resolves its open alerts at the next evaluation; recorded like every change. */
export async function setAlertRuleEnabled(ledger: Ledger, p: Principal, id: string, enabled: boolean) {
  assertCan(p, "alerts:manage");
  const rule = await mustFindRule(ledger, id);
  const { target, base } = ruleAudit(rule);
  await recordAudit(ledger, actorOf(p), {
    action: enabled ? "alert.rule.enable" : "alert.rule.disable",
    eventType: "modify",
    outcome: "success",
    target,
    attributes: { ...base, previous: rule.enabled },
  });
  await setRuleEnabled(ledger.db, id, enabled, nowIso());
  return { id, enabled };
}

/** Removes a rule; its open alerts are resolved (and logged) first, so none is left orphaned. */
export async function deleteAlertRule(ledger: Ledger, p: Principal, id: string) {
  assertCan(p, "alerts:manage");
  const rule = await mustFindRule(ledger, id);
  const { target, base } = ruleAudit(rule);
  await recordAudit(ledger, actorOf(p), {
    action: "alert.rule.delete",
    eventType: "delete",
    outcome: "success",
    target,
    attributes: { ...base, filter: rule.filter, condition: rule.condition },
  });
  for (const a of await openAlerts(ledger.db, id))
    await resolveAlertRow(ledger, actorOf(p), a, null, { cleared: "rule removed" });
  await deleteRule(ledger.db, id);
  return { id, deleted: true };
}

export async function listAlerts(
  ledger: Ledger,
  p: Principal,
  input: { state?: "open" | "all"; limit?: number } = {},
): Promise<AlertView[]> {
  assertCan(p, "alerts:read");
  const limit = Math.min(500, Math.max(1, input.limit ?? 100));
  const rows = input.state === "open" ? await openAlerts(ledger.db) : await recentAlerts(ledger.db, limit);
  const deliveries = await deliveriesOf(
    ledger.db,
    rows.map((a) => a.id),
  );
  return rows.map((a) => ({ ...a, deliveries: deliveries.filter((d) => d.alertId === a.id) }));
}

async function mustFindAlert(ledger: Ledger, id: string): Promise<AlertRow> {
  const a = await alertById(ledger.db, id);
  if (!a) throw new AppError("not_found", `No alert ${id}. List them with GET /api/v1/alerts.`);
  return a;
}

function note(input: unknown): string | undefined {
  const r = alertNoteSchema.safeParse(input ?? {});
  if (!r.success) throw invalid("note", r.error.issues);
  return r.data.comment?.trim() || undefined;
}

export async function acknowledgeAlert(ledger: Ledger, p: Principal, id: string, input: { comment?: string } = {}) {
  assertCan(p, "alerts:acknowledge");
  const comment = note(input);
  const a = await mustFindAlert(ledger, id);
  if (a.state !== "firing")
    throw new AppError("conflict", `Alert ${id} is ${a.state}; only a firing alert can be acknowledged.`);
  const done = await acknowledgeAlertRow(
    ledger,
    { ...actorOf(p), source: ALERTS_SOURCE },
    a,
    await ruleById(ledger.db, a.ruleId),
    comment,
  );
  if (!done) throw new AppError("conflict", `Alert ${id} changed meanwhile; reload and try again.`);
  return { id, state: "acknowledged" as const };
}

export async function resolveAlert(ledger: Ledger, p: Principal, id: string, input: { comment?: string } = {}) {
  assertCan(p, "alerts:acknowledge");
  const comment = note(input);
  const a = await mustFindAlert(ledger, id);
  if (a.state === "resolved") throw new AppError("conflict", `Alert ${id} is resolved already.`);
  const done = await resolveAlertRow(
    ledger,
    { ...actorOf(p), source: ALERTS_SOURCE },
    a,
    await ruleById(ledger.db, a.ruleId),
    { by: "person", ...(comment ? { comment } : {}) },
  );
  if (!done) throw new AppError("conflict", `Alert ${id} changed meanwhile; reload and try again.`);
  return { id, state: "resolved" as const };
}

/** Sends a failed delivery again at the next pass (admins; recorded). */
export async function retryAlertDelivery(ledger: Ledger, p: Principal, deliveryId: string) {
  assertCan(p, "alerts:manage");
  await recordAudit(ledger, actorOf(p), {
    action: "alert.delivery.retry",
    eventType: "modify",
    outcome: "success",
    target: { id: `ledgerline://alerts/deliveries/${deliveryId}`, type: "alert-delivery" },
  });
  if (!(await retryDelivery(ledger.db, deliveryId, nowIso())))
    throw new AppError("conflict", `Delivery ${deliveryId} is not a failed delivery.`);
  return { id: deliveryId, state: "pending" as const };
}

/** One evaluation pass now (admins; the CLI's `alerts evaluate`, the page's "Evaluate now"). */
export async function evaluateAlertsNow(rt: AlertsRuntime, p: Principal) {
  assertCan(p, "alerts:manage");
  return rt.alerts.pass();
}
