import { CronExpressionParser } from "cron-parser";

// The periods a review schedule cuts time into. Every frequency is a cron expression
// evaluated in the schedule's IANA time zone; a period runs from one firing to the next,
// so "daily in Europe/Berlin" is local midnight to local midnight: 23 hours on the day
// clocks go forward, 25 on the day they go back. Pure: the clock is an argument.

export const REVIEW_FREQUENCIES = ["daily", "weekly", "monthly", "cron"] as const;
export type ReviewFrequency = (typeof REVIEW_FREQUENCIES)[number];

/** The named frequencies' expressions: local midnight; weeks start on Monday (ISO 8601). */
export const NAMED_CRON: Record<Exclude<ReviewFrequency, "cron">, string> = {
  daily: "0 0 * * *",
  weekly: "0 0 * * 1",
  monthly: "0 0 1 * *",
};

/** A review period: [start, end) as epoch milliseconds. */
export type ReviewPeriod = { start: number; end: number };

/** Shorter periods than this are refused: a pack is a full signed export, not a ticker. */
export const MIN_PERIOD_MS = 60 * 60 * 1000;

/** True when `tz` is an IANA zone this runtime knows ("UTC" included). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0 && tz.length <= 64;
  } catch {
    return false;
  }
}

/** Why `cron` in `tz` is not a usable schedule, or null. Five fields, no seconds; periods ≥ 1 h. */
export function cronProblem(cron: string, tz: string): string | null {
  if (!isTimeZone(tz)) return `time zone ${JSON.stringify(tz)} is not an IANA zone name (e.g. Europe/Berlin, UTC)`;
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    return `cron ${JSON.stringify(cron)} must have five fields (minute hour day-of-month month day-of-week)`;
  try {
    const it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(Date.UTC(2026, 0, 5)) });
    const a = it.next().getTime();
    const b = it.next().getTime();
    if (b - a < MIN_PERIOD_MS) return `cron ${JSON.stringify(cron)} fires more often than once an hour`;
  } catch (e) {
    return `cron ${JSON.stringify(cron)} is not valid: ${(e as Error).message}`;
  }
  return null;
}

/** The expression a frequency runs on. */
export function cronOf(frequency: ReviewFrequency, cron?: string): string {
  return frequency === "cron" ? (cron ?? "").trim() : NAMED_CRON[frequency];
}

/**
 * The last period that has ended at or before `nowMs`: from the latest firing
 * ≤ now back to the firing before it. A run for it is due from its end on.
 */
export function lastEndedPeriod(cron: string, tz: string, nowMs: number): ReviewPeriod {
  // +1 ms: a firing exactly at now has ended its period (prev() is strictly before currentDate).
  const it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(nowMs + 1) });
  const end = it.prev().getTime();
  const start = it.prev().getTime();
  return { start, end };
}

/** The period that ends at the next firing after `nowMs` (the one in progress). */
export function currentPeriod(cron: string, tz: string, nowMs: number): ReviewPeriod {
  const ended = lastEndedPeriod(cron, tz, nowMs);
  const end = CronExpressionParser.parse(cron, { tz, currentDate: new Date(nowMs) })
    .next()
    .getTime();
  return { start: ended.end, end };
}

/** How many whole periods ended in (afterMs, nowMs]: what a server down that long missed. */
export function periodsEndedBetween(cron: string, tz: string, afterMs: number, nowMs: number, cap = 1000): number {
  const it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(afterMs), endDate: new Date(nowMs + 1) });
  let n = 0;
  while (n < cap && it.hasNext()) {
    it.next();
    n++;
  }
  return n;
}
