import "server-only";
import type { AlertChannel } from "@/lib/schemas/alerts.ts";
import type { SqlDriver } from "../db/driver.ts";

// Every read and write of `alert_deliveries` (migration 0014): one row per alert event
// and channel, retried with back-off until sent or out of attempts.

export type DeliveryEvent = "fired" | "acknowledged" | "resolved";
export type DeliveryState = "pending" | "sent" | "failed";

export type Delivery = {
  id: string;
  alertId: string;
  channel: number;
  kind: AlertChannel["kind"];
  target: AlertChannel;
  event: DeliveryEvent;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
};

type Row = {
  id: string;
  alert_id: string;
  channel: number | string;
  kind: AlertChannel["kind"];
  target: string;
  event: DeliveryEvent;
  state: DeliveryState;
  attempts: number | string;
  next_attempt_at: string;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
};

const fromRow = (r: Row): Delivery => ({
  id: r.id,
  alertId: r.alert_id,
  channel: Number(r.channel),
  kind: r.kind,
  target: JSON.parse(r.target) as AlertChannel,
  event: r.event,
  state: r.state,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
  createdAt: r.created_at,
});

export async function insertDeliveries(
  db: SqlDriver,
  alertId: string,
  event: DeliveryEvent,
  channels: AlertChannel[],
  ids: string[],
  now: string,
): Promise<void> {
  for (const [i, c] of channels.entries()) {
    await db.run(
      `INSERT INTO alert_deliveries (id, alert_id, channel, kind, target, event, state, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [ids[i]!, alertId, i, c.kind, JSON.stringify(c), event, now, now],
    );
  }
}

/** Pending deliveries whose next attempt is due, oldest first. */
export async function dueDeliveries(db: SqlDriver, now: string, limit: number): Promise<Delivery[]> {
  const rows = await db.all<Row>(
    "SELECT * FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    [now, limit],
  );
  return rows.map(fromRow);
}

export async function deliveriesOf(db: SqlDriver, alertIds: string[]): Promise<Delivery[]> {
  if (!alertIds.length) return [];
  const q = alertIds.map(() => "?").join(", ");
  const rows = await db.all<Row>(
    `SELECT * FROM alert_deliveries WHERE alert_id IN (${q}) ORDER BY created_at, channel`,
    alertIds,
  );
  return rows.map(fromRow);
}

export async function markSent(db: SqlDriver, id: string, now: string): Promise<void> {
  await db.run("UPDATE alert_deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ?", [
    now,
    id,
  ]);
}

/** One more failed attempt; `next` null: out of attempts, the delivery is 'failed' for good. */
export async function markAttemptFailed(db: SqlDriver, id: string, error: string, next: string | null): Promise<void> {
  // Two statements rather than `CASE WHEN ? IS NULL`: PostgreSQL cannot type a bare NULL parameter.
  if (next === null)
    await db.run("UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, state = 'failed' WHERE id = ?", [
      error.slice(0, 2000),
      id,
    ]);
  else
    await db.run(
      "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
      [error.slice(0, 2000), next, id],
    );
}

/** Sends a failed delivery again (an admin's retry from /alerts). */
export async function retryDelivery(db: SqlDriver, id: string, now: string): Promise<boolean> {
  const n = await db.run(
    "UPDATE alert_deliveries SET state = 'pending', next_attempt_at = ? WHERE id = ? AND state = 'failed'",
    [now, id],
  );
  return n === 1;
}
