import "server-only";
import os from "node:os";
import { lastEndedPeriod, periodsEndedBetween } from "@/lib/core/review-period.ts";
import type { Actor } from "../audit/audit-trail.ts";
import { Ticker } from "../runtime/ticker.ts";
import { REVIEWS_SOURCE, runPeriod, type ReviewsRuntime, type RunOutcome } from "./service.ts";
import * as store from "./store.ts";

// The review scheduler: every tick it looks at each enabled schedule and runs its last
// ended period if that period has no pack yet. After downtime that is one run — the
// latest period — not one per missed period; the run's log entry says how many periods
// ended unrun before it (`missedPeriods`), and `ledgerline reviews run --at` makes any
// of them by hand. A period is never run twice: the pack's (schedule, period) key.

export type ReviewClock = () => number;

/** How often the scheduler looks (a pack is due at most this late after its period ends). */
export const REVIEW_TICK_MS = 60_000;

export function schedulerActor(): Actor {
  return { id: `ledgerline-scheduler@${os.hostname()}`, source: REVIEWS_SOURCE, type: "service" };
}

/** One pass: the runs it made (already-run periods are skipped, not returned). */
export async function runDueReviews(rt: ReviewsRuntime, now: ReviewClock): Promise<RunOutcome[]> {
  const made: RunOutcome[] = [];
  for (const s of await store.listSchedules(rt.db, true)) {
    const nowMs = now();
    const period = lastEndedPeriod(s.cron, s.timeZone, nowMs);
    // Periods that ended before the schedule existed are not owed (run them by hand with --at).
    if (period.end <= Date.parse(s.createdAt)) continue;
    if (await store.findPackByPeriod(rt.db, s.id, new Date(period.start).toISOString())) continue;
    const since = Math.max(Date.parse((await store.lastPackEnd(rt.db, s.id)) ?? s.createdAt), Date.parse(s.createdAt));
    const missedPeriods = Math.max(0, periodsEndedBetween(s.cron, s.timeZone, since, nowMs) - 1);
    try {
      const r = await runPeriod(rt, schedulerActor(), s, period, { nowMs, missedPeriods });
      if (r.created) made.push(r);
    } catch (e) {
      console.error(
        `[ledgerline] review "${s.name}" (${s.id}) could not run: ${(e as Error).message}; run \`ledgerline reviews run ${s.id}\``,
      );
    }
  }
  return made;
}

/** Starts the timer (a pass at once, then every `everyMs`); returns its stop function for rt.onClose. */
export function startReviewScheduler(
  rt: ReviewsRuntime,
  log: (m: string) => void,
  opts: { now?: ReviewClock; everyMs?: number } = {},
): () => void {
  const now = opts.now ?? Date.now;
  const ticker = new Ticker(async () => {
    for (const r of await runDueReviews(rt, now))
      log(`review pack ${r.pack.id}: ${r.pack.periodStart} to ${r.pack.periodEnd}, building`);
  });
  const failed = (e: unknown) => console.error(`[ledgerline] review scheduler: ${(e as Error).message}`);
  ticker.run().catch(failed);
  ticker.start(opts.everyMs ?? REVIEW_TICK_MS, failed);
  return () => void ticker.stop();
}
