import "server-only";
import crypto from "node:crypto";
import type { Verdict } from "@/lib/core/alerts/condition.ts";
import type { AlertNotice } from "@/lib/core/alerts/messages.ts";
import { recordAudit, type Actor } from "../audit/audit-trail.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { insertDeliveries, type DeliveryEvent } from "./delivery-store.ts";
import {
  alertById,
  insertAlert,
  markAcknowledged,
  markResolved,
  setFiredSeq,
  type AlertRow,
  type AlertRule,
} from "./store.ts";

// The life of an alert: firing → acknowledged → resolved. Every step is a log entry from
// source `ledgerline:alerts` (action alert.fired / alert.acknowledged / alert.resolved,
// attributes { ruleId, ruleName, alertId, … }) — the convention the review packs read —
// and queues one delivery per channel of the rule.

export const ALERTS_SOURCE = "ledgerline:alerts";
/** The evaluator's identity in the log (firings and automatic resolutions). */
export const ALERTS_ACTOR: Actor = { id: "ledgerline-alerts", type: "service", source: ALERTS_SOURCE };

const EVENT_TYPE = { fired: "alert.fired", acknowledged: "alert.acknowledged", resolved: "alert.resolved" } as const;

function attributes(a: AlertRow, extra: Record<string, unknown>) {
  return { ruleId: a.ruleId, ruleName: a.ruleName, alertId: a.id, key: a.key, value: a.value, ...extra };
}

async function logStep(
  ledger: Ledger,
  actor: Actor,
  a: AlertRow,
  event: DeliveryEvent,
  extra: Record<string, unknown>,
) {
  return recordAudit(
    ledger,
    { ...actor, source: ALERTS_SOURCE },
    {
      action: EVENT_TYPE[event],
      eventType: event === "fired" ? "execute" : "modify",
      outcome: "success",
      target: { id: `ledgerline://alerts/${a.id}`, type: "alert" },
      reason: a.summary,
      attributes: attributes(a, extra),
    },
  );
}

/** Due at `atMs`: the evaluator's clock for its own steps (a test moves it), the real one for people's. */
async function queue(
  ledger: Ledger,
  rule: Pick<AlertRule, "channels"> | null,
  alertId: string,
  event: DeliveryEvent,
  atMs: number,
) {
  const channels = rule?.channels ?? [];
  if (!channels.length) return;
  const ids = channels.map(() => crypto.randomUUID());
  await insertDeliveries(ledger.db, alertId, event, channels, ids, new Date(atMs).toISOString());
}

/**
 * Opens an alert for (rule, key) unless one is open already (then null: de-duplicated).
 * The row first, then its log entry: a lost race leaves no entry behind.
 */
export async function fireAlert(
  ledger: Ledger,
  rule: AlertRule,
  key: string,
  v: Verdict,
  nowMs: number,
): Promise<AlertRow | null> {
  const id = crypto.randomUUID();
  const row = {
    id,
    ruleId: rule.id,
    ruleName: rule.name,
    key,
    summary: v.summary.slice(0, 1000),
    value: v.value,
    threshold: v.threshold,
    firedAt: new Date(nowMs).toISOString(),
  };
  if (!(await insertAlert(ledger.db, row))) return null;
  const a = (await alertById(ledger.db, id))!;
  const seq = await logStep(ledger, ALERTS_ACTOR, a, "fired", {
    condition: rule.condition.kind,
    threshold: v.threshold,
    filter: rule.filter,
  });
  await setFiredSeq(ledger.db, id, seq);
  await queue(ledger, rule, id, "fired", nowMs);
  return { ...a, firedSeq: seq };
}

/** firing → acknowledged by a person; false when it was not firing. */
export async function acknowledgeAlertRow(
  ledger: Ledger,
  actor: Actor,
  a: AlertRow,
  rule: AlertRule | null,
  comment: string | undefined,
): Promise<boolean> {
  if (!(await markAcknowledged(ledger.db, a.id, actor.id, new Date().toISOString()))) return false;
  await logStep(ledger, actor, a, "acknowledged", comment ? { comment } : {});
  await queue(ledger, rule, a.id, "acknowledged", Date.now());
  return true;
}

/** → resolved, by the evaluator (the condition cleared) or by a person; false when resolved already. */
export async function resolveAlertRow(
  ledger: Ledger,
  actor: Actor,
  a: AlertRow,
  rule: AlertRule | null,
  extra: Record<string, unknown>,
  atMs = Date.now(),
): Promise<boolean> {
  if (!(await markResolved(ledger.db, a.id, actor.id, new Date(atMs).toISOString()))) return false;
  await logStep(ledger, actor, a, "resolved", extra);
  await queue(ledger, rule, a.id, "resolved", atMs);
  return true;
}

/** What the channels say about `a` (docs/alerts.md, wire formats). */
export function noticeOf(
  origin: string,
  a: AlertRow,
  condition: string,
  event: DeliveryEvent,
  nowMs: number,
): AlertNotice {
  return {
    type: `ledgerline.alert.${event}`,
    origin,
    alert: {
      id: a.id,
      ruleId: a.ruleId,
      ruleName: a.ruleName,
      key: a.key,
      state: a.state,
      condition,
      summary: a.summary,
      value: a.value,
      threshold: a.threshold,
      firedAt: a.firedAt,
      firedSeq: a.firedSeq,
      acknowledgedBy: a.acknowledgedBy,
      resolvedAt: a.resolvedAt,
    },
    sentAt: new Date(nowMs).toISOString(),
  };
}
