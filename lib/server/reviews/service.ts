import "server-only";
import { explorerSelection } from "@/components/events/explorer-params.ts";
import { cronOf, cronProblem, currentPeriod, lastEndedPeriod, type ReviewPeriod } from "@/lib/core/review-period.ts";
import { uuidSchema } from "@/lib/schemas/api-params.ts";
import { reviewScheduleSchema, reviewSignoffSchema, reviewsInputProblem } from "@/lib/schemas/reviews.ts";
import type { z } from "zod";
import { recordAudit, type Actor } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { ensureBundleWorker, type BundleRuntime } from "../bundles/queue.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { AppError } from "../errors.ts";
import { findView } from "../views/store.ts";
import type { ReviewReportSpec } from "./report-data.ts";
import * as store from "./store.ts";
import type { ReviewPack, ReviewSchedule } from "./store.ts";

// Scheduled review packs (docs/reviews.md): a saved view run on a schedule, each run a
// signed evidence bundle of one period with report.html and report.pdf inside, and a
// reviewer's sign-off recorded in the log (PCI DSS 10.4.1's daily-review evidence).
// Creating a schedule, every run and every sign-off are meta-audit entries, recorded
// before the change (fail closed), like every other use case.

export type { ReviewPack, ReviewSchedule } from "./store.ts";

export const REVIEWS_TARGET = "ledgerline:reviews";
/** The scheduler's runs are recorded under this source (the prune scheduler's are the CLI's). */
export const REVIEWS_SOURCE = "ledgerline:reviews";

export type ReviewsRuntime = BundleRuntime;

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError("bad_request", `Cannot ${what}: ${reviewsInputProblem(r.error)}.`);
  return r.data;
}

/** Schedules a saved view the caller may open (reviews:manage; recorded). */
export async function scheduleReview(
  rt: ReviewsRuntime,
  p: Principal | null,
  input: unknown,
  opts: { template?: string } = {},
): Promise<ReviewSchedule> {
  assertCan(p, "reviews:manage");
  const v = parse(reviewScheduleSchema, input, "schedule the review");
  const view = uuidSchema.safeParse(v.viewId).success ? await findView(rt.db, v.viewId) : null;
  // The operator at the shell (a system principal) may schedule any view; people, the ones they can open.
  if (!view || (view.owner !== p.email && !view.shared && p.kind !== "system"))
    throw new AppError("not_found", `No saved view ${v.viewId.slice(0, 64)} that you can open; pick one on /events.`);
  const cron = cronOf(v.frequency, v.cron);
  const problem = cronProblem(cron, v.timeZone);
  if (problem) throw new AppError("bad_request", `Cannot schedule the review: ${problem}.`);
  const s: ReviewSchedule = {
    id: uuidv7(),
    viewId: view.id,
    viewName: view.name,
    viewQuery: view.query,
    name: v.name ?? view.name,
    frequency: v.frequency,
    cron,
    timeZone: v.timeZone,
    template: opts.template ?? null,
    createdBy: p.email,
    createdAt: nowIso(),
    enabled: true,
  };
  await recordAudit(rt, actorOf(p), {
    action: "reviews.schedule",
    eventType: "write",
    outcome: "success",
    target: { id: `${REVIEWS_TARGET}/${s.id}`, type: "review-schedule" },
    attributes: { scheduleId: s.id, name: s.name, viewId: s.viewId, query: s.viewQuery, cron, timeZone: s.timeZone },
  });
  await store.insertSchedule(rt.db, s);
  return s;
}

export type ScheduleListItem = ReviewSchedule & { nextRunAt: string | null; lastPeriodEnd: string | null };
export type ReviewsList = { schedules: ScheduleListItem[]; packs: ReviewPack[] };

/** Every schedule (with its next run) and the latest packs (reviews:read). */
export async function listReviews(rt: ReviewsRuntime, p: Principal | null, nowMs = Date.now()): Promise<ReviewsList> {
  assertCan(p, "reviews:read");
  const schedules = await store.listSchedules(rt.db);
  const items = await Promise.all(
    schedules.map(async (s) => ({
      ...s,
      nextRunAt: s.enabled ? new Date(currentPeriod(s.cron, s.timeZone, nowMs).end).toISOString() : null,
      lastPeriodEnd: await store.lastPackEnd(rt.db, s.id),
    })),
  );
  return { schedules: items, packs: await store.listPacks(rt.db) };
}

export async function getPack(rt: ReviewsRuntime, p: Principal | null, id: string): Promise<ReviewPack> {
  assertCan(p, "reviews:read");
  const pack = uuidSchema.safeParse(id).success ? await store.findPack(rt.db, id) : null;
  if (!pack) throw new AppError("not_found", `No review pack with id ${id.slice(0, 64)}.`);
  return pack;
}

/** The bundle filter of one period: the view's query with its time replaced by the period, read as the explorer reads it. */
export function periodFilter(s: Pick<ReviewSchedule, "viewQuery">, period: ReviewPeriod, nowMs: number) {
  const sp = new URLSearchParams(s.viewQuery);
  for (const k of ["range", "from", "to", "cursor", "view"]) sp.delete(k);
  sp.set("from", new Date(period.start).toISOString());
  sp.set("to", new Date(period.end).toISOString());
  const sel = explorerSelection(sp, nowMs);
  if (!sel.ok)
    throw new AppError("bad_request", `The scheduled view's query no longer reads: ${sel.errors[0]!.detail}.`);
  return sel.value.filter;
}

export type RunOutcome = { pack: ReviewPack; created: boolean };

/**
 * Runs `s` for `period` once: records the run, then inserts the pack and its queued bundle
 * in one transaction; a period that already has a pack returns that pack (created: false).
 */
export async function runPeriod(
  rt: ReviewsRuntime,
  actor: Actor,
  s: ReviewSchedule,
  period: ReviewPeriod,
  extra: { nowMs: number; missedPeriods?: number },
): Promise<RunOutcome> {
  const periodStart = new Date(period.start).toISOString();
  const existing = await store.findPackByPeriod(rt.db, s.id, periodStart);
  if (existing) return { pack: existing, created: false };
  const filter = periodFilter(s, period, extra.nowMs);
  const report: ReviewReportSpec = {
    ...{ scheduleId: s.id, scheduleName: s.name, viewName: s.viewName, viewQuery: s.viewQuery },
    ...{ frequency: s.frequency, cron: s.cron, timeZone: s.timeZone, template: s.template },
    ...{ periodStart, periodEnd: new Date(period.end).toISOString() },
  };
  const id = uuidv7();
  const bundleId = uuidv7();
  await recordAudit(rt, actor, {
    action: "reviews.run",
    eventType: "read",
    outcome: "success",
    target: { id: `${REVIEWS_TARGET}/${s.id}`, type: "review-schedule" },
    attributes: {
      ...{ scheduleId: s.id, packId: id, bundleId, periodStart, periodEnd: report.periodEnd },
      ...(extra.missedPeriods ? { missedPeriods: extra.missedPeriods } : {}),
    },
  });
  const createdAt = new Date(extra.nowMs).toISOString();
  const row = { id, scheduleId: s.id, periodStart, periodEnd: report.periodEnd, bundleId, createdAt };
  const inserted = await store.insertPack(rt.db, { ...row, createdBy: actor.id, filter, report });
  await ensureBundleWorker(rt);
  const pack = await store.findPackByPeriod(rt.db, s.id, periodStart);
  if (!pack) throw new Error(`review pack for ${s.id} at ${periodStart} vanished after insert`);
  return { pack, created: inserted };
}

/** Runs a schedule now for its last ended period (or the one ended at `at`): reviews:manage. */
export async function runReview(
  rt: ReviewsRuntime,
  p: Principal | null,
  input: { scheduleId: string; at?: string },
): Promise<RunOutcome> {
  assertCan(p, "reviews:manage");
  const s = uuidSchema.safeParse(input.scheduleId).success ? await store.findSchedule(rt.db, input.scheduleId) : null;
  if (!s) throw new AppError("not_found", `No review schedule with id ${String(input.scheduleId).slice(0, 64)}.`);
  const nowMs = Date.now();
  const atMs = input.at === undefined ? nowMs : Date.parse(input.at);
  if (!Number.isFinite(atMs) || atMs > nowMs)
    throw new AppError("bad_request", "at must be an ISO 8601 instant in the past (the period ended at or before it).");
  return runPeriod(rt, actorOf(p), s, lastEndedPeriod(s.cron, s.timeZone, atMs), { nowMs });
}

/** A reviewer's sign-off: recorded in the log (the evidence), then shown on the pack (reviews:signoff). */
export async function markReviewed(
  rt: ReviewsRuntime,
  p: Principal | null,
  packId: string,
  input: unknown,
): Promise<ReviewPack> {
  assertCan(p, "reviews:signoff");
  const { comment } = parse(reviewSignoffSchema, input, "sign off the pack");
  const pack = await getPack(rt, p, packId);
  if (pack.review)
    throw new AppError("conflict", `This pack was already reviewed by ${pack.review.by} at ${pack.review.at}.`);
  if (pack.status !== "ready")
    throw new AppError(
      "conflict",
      `This pack is ${pack.status}; sign it off once its bundle is ready and you read it.`,
    );
  const seq = await recordAudit(rt, actorOf(p), {
    action: "reviews.signoff",
    eventType: "write",
    outcome: "success",
    target: { id: `${REVIEWS_TARGET}/${pack.scheduleId}`, type: "review-pack" },
    reason: comment,
    attributes: { packId: pack.id, bundleId: pack.bundleId, periodStart: pack.periodStart, periodEnd: pack.periodEnd },
  });
  const changed = await store.markPackReviewed(rt.db, pack.id, { by: p.email, at: nowIso(), comment, seq });
  if (!changed) throw new AppError("conflict", "Someone signed this pack off a moment ago; reload to see who.");
  return getPack(rt, p, pack.id);
}
