// The arithmetic of alert conditions, apart from where the counts come from (the server
// reads them from the rollups): windows aligned to the rollup's 10-minute buckets, the
// baseline comparison, the silence test. Pure; times are milliseconds since the epoch.

export const BUCKET_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

export type Window = { fromMs: number; toMs: number };

/**
 * The last `minutes` as whole buckets: the bucket `nowMs` is in and the ones before it,
 * so a 60-minute window at 10:37 is [09:50, 10:40). The current bucket is partial.
 */
export function currentWindow(nowMs: number, minutes: number): Window {
  const toMs = Math.floor(nowMs / BUCKET_MS) * BUCKET_MS + BUCKET_MS;
  return { fromMs: toMs - minutes * 60_000, toMs };
}

/** The same window on each of the `days` days before (the baseline's samples), newest first. */
export function baselineWindows(w: Window, days: number): Window[] {
  return Array.from({ length: days }, (_, i) => ({
    fromMs: w.fromMs - (i + 1) * DAY_MS,
    toMs: w.toMs - (i + 1) * DAY_MS,
  }));
}

export type Verdict = { firing: boolean; value: number; threshold: number; summary: string };

export function countVerdict(count: number, c: { windowMinutes: number; threshold: number }): Verdict {
  return {
    firing: count >= c.threshold,
    value: count,
    threshold: c.threshold,
    summary: `${count} matching entries in the last ${c.windowMinutes} min (threshold ${c.threshold})`,
  };
}

/**
 * Fires when the window's count reaches both `minCount` and `factor` × the mean of the
 * same window on the previous days. A quiet history (mean 0) needs only `minCount`: a
 * first spike of denials is exactly what the rule is for.
 */
export function baselineVerdict(
  count: number,
  history: number[],
  c: { windowMinutes: number; factor: number; minCount: number; days: number },
): Verdict {
  const mean = history.length ? history.reduce((a, b) => a + b, 0) / history.length : 0;
  const threshold = Math.max(c.minCount, Math.ceil(c.factor * mean));
  const ratio = mean > 0 ? ` = ${(count / mean).toFixed(1)}×` : "";
  return {
    firing: count >= threshold,
    value: count,
    threshold,
    summary: `${count} matching entries in the last ${c.windowMinutes} min against a ${c.days}-day mean of ${mean.toFixed(1)} for that time of day${ratio} (fires at ${threshold})`,
  };
}

/**
 * A source is silent when its last append (or, never having appended, the moment it was
 * expected from: its key's creation) is `minutes` or more ago.
 */
export function silentVerdict(source: string, lastMs: number, nowMs: number, minutes: number): Verdict {
  const quietMin = Math.max(0, Math.floor((nowMs - lastMs) / 60_000));
  return {
    firing: nowMs - lastMs >= minutes * 60_000,
    value: quietMin,
    threshold: minutes,
    summary: `source ${source} has appended nothing for ${quietMin} min (expected at least every ${minutes} min)`,
  };
}
