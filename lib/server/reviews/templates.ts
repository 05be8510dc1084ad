import "server-only";
import { canonicalParams } from "@/components/events/explorer-params.ts";
import { assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import { createView } from "../views/service.ts";
import { findViewByName } from "../views/store.ts";
import { scheduleReview, type ReviewSchedule, type ReviewsRuntime } from "./service.ts";

// Ready-made view + schedule pairs (docs/reviews.md): one click or one command makes the
// shared saved view and its schedule, both recorded like any other view and schedule.

export type ReviewTemplate = {
  id: string;
  title: string;
  /** The explorer query of the view (its time is replaced by each period). */
  query: string;
  frequency: "daily" | "monthly";
  why: string;
};

export const REVIEW_TEMPLATES: readonly ReviewTemplate[] = [
  {
    id: "pci-dss-10.4.1-daily",
    title: "PCI DSS 10.4.1 daily review",
    // Every entry, Ledgerline's own included: 10.4.1 asks for all security events and the
    // logs of every component, and changes to the logging system are among them.
    query: "own=include",
    frequency: "daily",
    why: "PCI DSS v4.0 10.4.1: audit logs of all security events and CDE components reviewed at least once daily",
  },
  {
    id: "soc2-cc7.2-monthly",
    title: "SOC 2 CC7.2 monthly",
    // Anomalies: what was refused or failed, over the month, Ledgerline's own included.
    query: "outcome=denied&outcome=failure&own=include",
    frequency: "monthly",
    why: "SOC 2 CC7.2: system components monitored for anomalies indicative of malicious acts or errors",
  },
];

const COLUMNS = ["ts", "outcome", "requester", "target", "service", "action", "source"];

/** The template's shared view (made, or reused when the caller already has it) and a new schedule of it. */
export async function scheduleTemplate(
  rt: ReviewsRuntime,
  p: Principal | null,
  input: { template: string; timeZone?: string },
): Promise<ReviewSchedule> {
  assertCan(p, "reviews:manage");
  const t = REVIEW_TEMPLATES.find((x) => x.id === input.template);
  if (!t)
    throw new AppError(
      "bad_request",
      `No review template ${JSON.stringify(String(input.template).slice(0, 64))}; templates: ${REVIEW_TEMPLATES.map((x) => x.id).join(", ")}.`,
    );
  const mine = await findViewByName(rt.db, p.email, t.title);
  if (mine && mine.query !== canonicalParams(new URLSearchParams(t.query)).toString())
    throw new AppError(
      "conflict",
      `You have a view named "${t.title}" with another query; rename it, then create the template again.`,
    );
  const view = mine ?? (await createView(rt, p, { name: t.title, query: t.query, columns: COLUMNS, shared: true }));
  return scheduleReview(
    rt,
    p,
    { viewId: view.id, name: t.title, frequency: t.frequency, timeZone: input.timeZone ?? "UTC" },
    { template: t.id },
  );
}
