import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { camelColumns } from "../db/rows.ts";
import type { SiemFormat, SiemKind } from "@/lib/core/siem/wire.ts";

// Every read and write of `siem_destinations` (migration 0013). Numbers come back as
// numbers on both dialects (PostgreSQL returns BIGINT as a string).

export type DestinationState = "active" | "paused" | "dead-letter";

export type DestinationOptions = {
  /** Splunk index / Elastic index. */
  index?: string;
  sourcetype?: string;
  /** The HOSTNAME of syslog messages and the `host` of HEC events. */
  host?: string;
  /** Private enterprise number of the syslog SD-ID (default 32473, the documentation PEN). */
  pen?: number;
  /** PEM of the CA that signed a syslog-tls receiver's certificate (else the system's). */
  ca?: string;
  /** Records per batch (1–5 000, default 500). */
  batch?: number;
};

export type Destination = {
  id: string;
  name: string;
  kind: SiemKind;
  format: SiemFormat;
  url: string;
  options: DestinationOptions;
  secret: string | null;
  cursorSeq: number;
  state: DestinationState;
  attempts: number;
  delivered: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSentAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};

type Row = {
  id: string;
  name: string;
  kind: SiemKind;
  format: SiemFormat;
  url: string;
  options: string;
  secret: string | null;
  cursor_seq: number | string;
  state: DestinationState;
  attempts: number | string;
  delivered: number | string;
  last_error: string | null;
  last_error_at: string | null;
  last_sent_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
};

function fromRow(r: Row): Destination {
  return {
    ...camelColumns(r, [
      "id",
      "name",
      "kind",
      "format",
      "url",
      "secret",
      "state",
      "last_error",
      "last_error_at",
      "last_sent_at",
      "created_by",
      "created_at",
      "updated_at",
    ]),
    options: JSON.parse(r.options) as DestinationOptions,
    cursorSeq: Number(r.cursor_seq),
    attempts: Number(r.attempts),
    delivered: Number(r.delivered),
  };
}

export async function listDestinations(db: SqlDriver): Promise<Destination[]> {
  return (await db.all<Row>("SELECT * FROM siem_destinations ORDER BY name")).map(fromRow);
}

export async function destinationById(db: SqlDriver, id: string): Promise<Destination | null> {
  const r = await db.get<Row>("SELECT * FROM siem_destinations WHERE id = ?", [id]);
  return r ? fromRow(r) : null;
}

export async function insertDestination(
  db: SqlDriver,
  d: Pick<Destination, "id" | "name" | "kind" | "format" | "url" | "options" | "secret" | "cursorSeq" | "createdBy">,
  now: string,
): Promise<void> {
  await db.run(
    `INSERT INTO siem_destinations (id, name, kind, format, url, options, secret, cursor_seq, created_by, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [d.id, d.name, d.kind, d.format, d.url, JSON.stringify(d.options), d.secret, d.cursorSeq, d.createdBy, now, now],
  );
}

/**
 * Moves the cursor from `from` to `to` after the destination acknowledged those records;
 * false when someone moved it meanwhile (a replay), so the batch is not counted twice.
 */
export async function advanceCursor(db: SqlDriver, id: string, from: number, to: number, now: string) {
  const n = await db.run(
    `UPDATE siem_destinations SET cursor_seq = ?, delivered = delivered + ?, attempts = 0, last_sent_at = ?,
       updated_at = ? WHERE id = ? AND cursor_seq = ?`,
    [to, to - from, now, now, id, from],
  );
  return n === 1;
}

/** One more failed attempt at the batch after the cursor; `deadLetter` parks the destination. */
export async function recordFailure(db: SqlDriver, id: string, error: string, deadLetter: boolean, now: string) {
  await db.run(
    `UPDATE siem_destinations SET attempts = attempts + 1, last_error = ?, last_error_at = ?, updated_at = ?,
       state = CASE WHEN ? = 1 THEN 'dead-letter' ELSE state END WHERE id = ?`,
    [error.slice(0, 2000), now, now, deadLetter ? 1 : 0, id],
  );
}

/** Replay from a seq, resume after a dead letter, pause: the cursor and state an admin set. */
export async function setCursorAndState(
  db: SqlDriver,
  id: string,
  change: { cursorSeq?: number; state: DestinationState },
  now: string,
): Promise<boolean> {
  const n = await db.run(
    `UPDATE siem_destinations SET cursor_seq = COALESCE(?, cursor_seq), state = ?, attempts = 0, updated_at = ?
     WHERE id = ?`,
    [change.cursorSeq ?? null, change.state, now, id],
  );
  return n === 1;
}

export async function deleteDestination(db: SqlDriver, id: string): Promise<boolean> {
  return (await db.run("DELETE FROM siem_destinations WHERE id = ?", [id])) === 1;
}
