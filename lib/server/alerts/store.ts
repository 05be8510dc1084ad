import "server-only";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { AlertChannel, AlertCondition, AlertState } from "@/lib/schemas/alerts.ts";
import type { SqlDriver } from "../db/driver.ts";

// Every read and write of `alert_rules` and `alerts` (migration 0014). Numbers come back
// as numbers on both dialects (PostgreSQL returns BIGINT as a string).

export type AlertRule = {
  id: string;
  name: string;
  filter: EventFilter;
  condition: AlertCondition;
  channels: AlertChannel[];
  enabled: boolean;
  cursorSeq: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

type RuleRow = {
  id: string;
  name: string;
  filter: string;
  condition: string;
  channels: string;
  enabled: number | string | boolean;
  cursor_seq: number | string;
  created_by: string;
  created_at: string;
  updated_at: string;
};

const ruleFromRow = (r: RuleRow): AlertRule => ({
  id: r.id,
  name: r.name,
  filter: JSON.parse(r.filter) as EventFilter,
  condition: JSON.parse(r.condition) as AlertCondition,
  channels: JSON.parse(r.channels) as AlertChannel[],
  enabled: Number(r.enabled) === 1,
  cursorSeq: Number(r.cursor_seq),
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listRules(db: SqlDriver): Promise<AlertRule[]> {
  return (await db.all<RuleRow>("SELECT * FROM alert_rules ORDER BY name")).map(ruleFromRow);
}

export async function ruleById(db: SqlDriver, id: string): Promise<AlertRule | null> {
  const r = await db.get<RuleRow>("SELECT * FROM alert_rules WHERE id = ?", [id]);
  return r ? ruleFromRow(r) : null;
}

export async function ruleByName(db: SqlDriver, name: string): Promise<AlertRule | null> {
  const r = await db.get<RuleRow>("SELECT * FROM alert_rules WHERE name = ?", [name]);
  return r ? ruleFromRow(r) : null;
}

export async function insertRule(
  db: SqlDriver,
  r: Pick<AlertRule, "id" | "name" | "filter" | "condition" | "channels" | "enabled" | "cursorSeq" | "createdBy">,
  now: string,
): Promise<void> {
  await db.run(
    `INSERT INTO alert_rules (id, name, filter, condition, channels, enabled, cursor_seq, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.id,
      r.name,
      JSON.stringify(r.filter),
      JSON.stringify(r.condition),
      JSON.stringify(r.channels),
      r.enabled ? 1 : 0,
      r.cursorSeq,
      r.createdBy,
      now,
      now,
    ],
  );
}

export async function setRuleEnabled(db: SqlDriver, id: string, enabled: boolean, now: string): Promise<void> {
  await db.run("UPDATE alert_rules SET enabled = ?, updated_at = ? WHERE id = ?", [enabled ? 1 : 0, now, id]);
}

/** Integrity rules: failure entries up to `seq` were looked at. */
export async function setRuleCursor(db: SqlDriver, id: string, seq: number): Promise<void> {
  await db.run("UPDATE alert_rules SET cursor_seq = ? WHERE id = ? AND cursor_seq < ?", [seq, id, seq]);
}

export async function deleteRule(db: SqlDriver, id: string): Promise<boolean> {
  return (await db.run("DELETE FROM alert_rules WHERE id = ?", [id])) === 1;
}

export type AlertRow = {
  id: string;
  ruleId: string;
  ruleName: string;
  key: string;
  state: AlertState;
  summary: string;
  value: number;
  threshold: number;
  firedAt: string;
  firedSeq: number | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
};

type Row = {
  id: string;
  rule_id: string;
  rule_name: string;
  alert_key: string;
  state: AlertState;
  summary: string;
  value: number | string;
  threshold: number | string;
  fired_at: string;
  fired_seq: number | string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
};

const alertFromRow = (r: Row): AlertRow => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  key: r.alert_key,
  state: r.state,
  summary: r.summary,
  value: Number(r.value),
  threshold: Number(r.threshold),
  firedAt: r.fired_at,
  firedSeq: r.fired_seq === null ? null : Number(r.fired_seq),
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
});

export async function openAlerts(db: SqlDriver, ruleId?: string): Promise<AlertRow[]> {
  const rows = ruleId
    ? await db.all<Row>("SELECT * FROM alerts WHERE state <> 'resolved' AND rule_id = ? ORDER BY fired_at DESC", [
        ruleId,
      ])
    : await db.all<Row>("SELECT * FROM alerts WHERE state <> 'resolved' ORDER BY fired_at DESC");
  return rows.map(alertFromRow);
}

/** The newest alerts of any state (the /alerts page's history). */
export async function recentAlerts(db: SqlDriver, limit: number): Promise<AlertRow[]> {
  return (await db.all<Row>("SELECT * FROM alerts ORDER BY fired_at DESC, id DESC LIMIT ?", [limit])).map(alertFromRow);
}

export async function alertById(db: SqlDriver, id: string): Promise<AlertRow | null> {
  const r = await db.get<Row>("SELECT * FROM alerts WHERE id = ?", [id]);
  return r ? alertFromRow(r) : null;
}

/**
 * Opens an alert; false when one is already open for (rule, key) — the partial unique
 * index `alerts_open` decides, so two processes evaluating at once still open one.
 */
export async function insertAlert(
  db: SqlDriver,
  a: Pick<AlertRow, "id" | "ruleId" | "ruleName" | "key" | "summary" | "value" | "threshold" | "firedAt">,
): Promise<boolean> {
  try {
    await db.run(
      `INSERT INTO alerts (id, rule_id, rule_name, alert_key, state, summary, value, threshold, fired_at)
       VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?)`,
      [a.id, a.ruleId, a.ruleName, a.key, a.summary, a.value, a.threshold, a.firedAt],
    );
    return true;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err?.code === "23505" || /UNIQUE constraint failed: alerts/.test(err?.message ?? "")) return false;
    throw e;
  }
}

export async function setFiredSeq(db: SqlDriver, id: string, seq: number): Promise<void> {
  await db.run("UPDATE alerts SET fired_seq = ? WHERE id = ?", [seq, id]);
}

/** The latest reading of an open alert (its value moves while it stays open). */
export async function updateOpenReading(db: SqlDriver, id: string, value: number, summary: string): Promise<void> {
  await db.run("UPDATE alerts SET value = ?, summary = ? WHERE id = ? AND state <> 'resolved'", [value, summary, id]);
}

/** firing → acknowledged; false when the alert was not firing (acknowledged or resolved meanwhile). */
export async function markAcknowledged(db: SqlDriver, id: string, by: string, at: string): Promise<boolean> {
  const n = await db.run(
    "UPDATE alerts SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'firing'",
    [at, by, id],
  );
  return n === 1;
}

/** firing/acknowledged → resolved; false when it was resolved already. */
export async function markResolved(db: SqlDriver, id: string, by: string, at: string): Promise<boolean> {
  const n = await db.run(
    "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ? AND state <> 'resolved'",
    [at, by, id],
  );
  return n === 1;
}
