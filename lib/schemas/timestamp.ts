// Event timestamps (SPEC §1): accepted as RFC 3339, stored as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`.
//
// Decisions, so that one instant has exactly one stored spelling:
// - Accepted syntax is the RFC 3339 `date-time` production: seconds are required, `T`/`t`
//   separates date and time, the zone is `Z`/`z` or `±HH:MM` (`-00:00` is read as UTC).
//   ISO 8601 basic format, week dates, ordinal dates and offsets without a colon are not.
// - Fractional seconds may have any number of digits; digits beyond milliseconds are
//   truncated (never rounded), so normalization never moves an event into the next
//   millisecond, second or day.
// - Impossible calendar values are rejected rather than rolled over the way `Date` does
//   (Feb 30 is not Mar 2). Leap seconds (`:60`) are rejected: the stored format cannot
//   express them, and rewriting them would store a time nobody sent.
// - The instant must not be before 1970-01-01T00:00:00Z (UTC, after applying the offset), must
//   fit in a four-digit UTC year, and — when the caller passes `now` — must not be more than
//   24 hours ahead of it (clock skew beyond that is a broken sender, not a real event).

export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

// Latest instant whose UTC form still has a four-digit year.
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export type TimestampResult = { ok: true; value: string; epochMs: number } | { ok: false; detail: string };

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Parses an RFC 3339 date-time and returns its UTC form with exactly three fractional digits.
 * Invariants: never throws; `value` always matches `YYYY-MM-DDTHH:mm:ss.sssZ` and
 * `Date.parse(value) === epochMs`; extra fractional digits are truncated.
 */
export function normalizeTimestamp(input: string, now?: Date): TimestampResult {
  // Bounded before the regex so error handling never depends on the input's length.
  const m = input.length <= 64 ? RFC3339.exec(input) : null;
  if (m === null) {
    return {
      ok: false,
      detail:
        "must be an RFC 3339 date-time with seconds and a Z or ±HH:MM offset, e.g. 2024-05-01T12:00:00Z or 2024-05-01T14:00:00.123+02:00",
    };
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const millis = Number(((m[7] ?? "") + "000").slice(0, 3));
  const sign = m[8] === "-" ? -1 : 1;
  const offHour = Number(m[9] ?? "0");
  const offMinute = Number(m[10] ?? "0");

  if (month < 1 || month > 12) return { ok: false, detail: "month must be 01–12" };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, detail: `is not a calendar date: ${m[1]}-${m[2]} has no day ${m[3]}` };
  }
  if (hour > 23) return { ok: false, detail: "hour must be 00–23" };
  if (minute > 59) return { ok: false, detail: "minute must be 00–59" };
  if (second === 60) return { ok: false, detail: "leap seconds (second 60) are not supported" };
  if (second > 59) return { ok: false, detail: "second must be 00–59" };
  if (offHour > 23 || offMinute > 59) return { ok: false, detail: "UTC offset must be between -23:59 and +23:59" };
  // Date.UTC maps years 0–99 to 1900–1999; such years are rejected here anyway.
  if (year < 1969) return { ok: false, detail: "must not be before 1970-01-01T00:00:00Z" };

  const epochMs =
    Date.UTC(year, month - 1, day, hour, minute, second, millis) - sign * (offHour * 60 + offMinute) * 60_000;
  if (epochMs < 0) return { ok: false, detail: "must not be before 1970-01-01T00:00:00Z" };
  if (epochMs > MAX_EPOCH_MS) return { ok: false, detail: "must be before the UTC year 10000" };
  if (now !== undefined && epochMs > now.getTime() + MAX_FUTURE_SKEW_MS) {
    return { ok: false, detail: "must not be more than 24 hours ahead of the server's clock" };
  }
  return { ok: true, value: new Date(epochMs).toISOString(), epochMs };
}
