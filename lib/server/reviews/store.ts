import "server-only";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { SqlDriver } from "../db/driver.ts";
import { camelColumns, flagColumn, numberOrNull } from "../db/rows.ts";
import type { ReviewReportSpec } from "./report-data.ts";

// review_schedules and review_packs (migration 0015): every SQL statement on them. A pack
// row and its bundle row are inserted in one write transaction, and the pack's
// (schedule_id, period_start) key makes a second run of the same period a no-op — two
// ticks, two instances or a manual run racing the scheduler produce one pack.

type ScheduleRow = {
  id: string;
  view_id: string;
  view_name: string;
  view_query: string;
  name: string;
  frequency: string;
  cron: string;
  time_zone: string;
  template: string | null;
  created_by: string;
  created_at: string;
  enabled: number | boolean;
};

export type ReviewSchedule = {
  id: string;
  viewId: string;
  viewName: string;
  viewQuery: string;
  name: string;
  frequency: "daily" | "weekly" | "monthly" | "cron";
  cron: string;
  timeZone: string;
  template: string | null;
  createdBy: string;
  createdAt: string;
  enabled: boolean;
};

function schedule(r: ScheduleRow): ReviewSchedule {
  return {
    ...camelColumns(r, [
      "id",
      "view_id",
      "view_name",
      "view_query",
      "name",
      "cron",
      "time_zone",
      "template",
      "created_by",
      "created_at",
    ]),
    frequency: r.frequency as ReviewSchedule["frequency"],
    enabled: flagColumn(r.enabled),
  };
}

type PackRow = {
  id: string;
  schedule_id: string;
  period_start: string;
  period_end: string;
  bundle_id: string;
  created_at: string;
  created_by: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
  review_seq: number | string | null;
  bundle_status: string | null;
  bundle_count: number | string | null;
  bundle_error: string | null;
};

export type ReviewPack = {
  id: string;
  scheduleId: string;
  periodStart: string;
  periodEnd: string;
  bundleId: string;
  createdAt: string;
  createdBy: string;
  /** The bundle's build state: queued, building, ready, failed (or gone, if its row was removed). */
  status: string;
  count: number | null;
  error: string | null;
  review: { by: string; at: string; comment: string; seq: number } | null;
};

function pack(r: PackRow): ReviewPack {
  return {
    ...camelColumns(r, ["id", "schedule_id", "period_start", "period_end", "bundle_id", "created_at", "created_by"]),
    status: r.bundle_status ?? "gone",
    count: numberOrNull(r.bundle_count),
    error: r.bundle_error,
    review:
      r.reviewed_by && r.reviewed_at
        ? { by: r.reviewed_by, at: r.reviewed_at, comment: r.review_comment ?? "", seq: Number(r.review_seq) }
        : null,
  };
}

export async function insertSchedule(db: SqlDriver, s: ReviewSchedule): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run(
      `INSERT INTO review_schedules (id, view_id, view_name, view_query, name, frequency, cron, time_zone, template, created_by, created_at, enabled)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        ...[s.id, s.viewId, s.viewName, s.viewQuery, s.name, s.frequency, s.cron, s.timeZone],
        ...[s.template, s.createdBy, s.createdAt, s.enabled ? 1 : 0],
      ],
    ),
  );
}

export async function listSchedules(db: SqlDriver, onlyEnabled = false): Promise<ReviewSchedule[]> {
  const rows = await db.all<ScheduleRow>(
    `SELECT * FROM review_schedules ${onlyEnabled ? "WHERE enabled = ?" : ""} ORDER BY created_at, id LIMIT 1000`,
    onlyEnabled ? [1] : [],
  );
  return rows.map(schedule);
}

export async function findSchedule(db: SqlDriver, id: string): Promise<ReviewSchedule | null> {
  const r = await db.get<ScheduleRow>("SELECT * FROM review_schedules WHERE id = ?", [id]);
  return r ? schedule(r) : null;
}

const PACK_SELECT = `SELECT p.*, b.status AS bundle_status, b.entry_count AS bundle_count, b.error AS bundle_error
  FROM review_packs p LEFT JOIN bundles b ON b.id = p.bundle_id`;

export async function listPacks(db: SqlDriver, limit = 200): Promise<ReviewPack[]> {
  const rows = await db.all<PackRow>(`${PACK_SELECT} ORDER BY p.period_end DESC, p.id DESC LIMIT ?`, [limit]);
  return rows.map(pack);
}

export async function findPack(db: SqlDriver, id: string): Promise<ReviewPack | null> {
  const r = await db.get<PackRow>(`${PACK_SELECT} WHERE p.id = ?`, [id]);
  return r ? pack(r) : null;
}

export async function findPackByPeriod(db: SqlDriver, scheduleId: string, start: string): Promise<ReviewPack | null> {
  const r = await db.get<PackRow>(`${PACK_SELECT} WHERE p.schedule_id = ? AND p.period_start = ?`, [scheduleId, start]);
  return r ? pack(r) : null;
}

/** The end of the schedule's latest pack, if it has one (how far back a catch-up looks). */
export async function lastPackEnd(db: SqlDriver, scheduleId: string): Promise<string | null> {
  const r = await db.get<{ e: string | null }>("SELECT MAX(period_end) AS e FROM review_packs WHERE schedule_id = ?", [
    scheduleId,
  ]);
  return r?.e ?? null;
}

export type NewPack = Pick<
  ReviewPack,
  "id" | "scheduleId" | "periodStart" | "periodEnd" | "bundleId" | "createdAt" | "createdBy"
> & { filter: EventFilter; report: ReviewReportSpec };

/** The pack and its queued bundle, or nothing when the period already has a pack (false). */
export async function insertPack(db: SqlDriver, p: NewPack): Promise<boolean> {
  return db.writeTransaction(async (tx) => {
    const added = await tx.run(
      `INSERT INTO review_packs (id, schedule_id, period_start, period_end, bundle_id, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (schedule_id, period_start) DO NOTHING`,
      [p.id, p.scheduleId, p.periodStart, p.periodEnd, p.bundleId, p.createdAt, p.createdBy],
    );
    if (!added) return false;
    await tx.run(
      "INSERT INTO bundles (id, status, created_by, created_at, filter, report) VALUES (?, 'queued', ?, ?, ?, ?)",
      [p.bundleId, p.createdBy, p.createdAt, JSON.stringify(p.filter), JSON.stringify(p.report)],
    );
    return true;
  });
}

/** Records the sign-off on the row; 0 when someone signed it off first. */
export async function markPackReviewed(
  db: SqlDriver,
  id: string,
  r: { by: string; at: string; comment: string; seq: number },
): Promise<number> {
  return db.writeTransaction((tx) =>
    tx.run(
      `UPDATE review_packs SET reviewed_by = ?, reviewed_at = ?, review_comment = ?, review_seq = ?
        WHERE id = ? AND reviewed_by IS NULL`,
      [r.by, r.at, r.comment, r.seq, id],
    ),
  );
}
