"use client";

import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import { NoticeLine } from "@/components/admin/notice-line.tsx";
import type { ReviewActions } from "./types.ts";

// "Schedule a review": a saved view, a frequency (or a cron expression) and an IANA time
// zone; or a ready-made template (its shared view and schedule in one click).

const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

export function ScheduleForm(props: {
  views: Array<{ id: string; name: string }>;
  templates: Array<{ id: string; title: string; why: string }>;
  preselectedView: string;
  actions: Pick<ReviewActions, "schedule" | "template">;
}) {
  const a = useAdminAction();
  const ok = (text: string) => () => a.setNotice({ kind: "ok", text });
  return (
    <div className="stack" data-testid="schedule-review">
      <h2>Schedule a review</h2>
      <form
        className="grid"
        aria-label="Schedule a saved view"
        onSubmit={(e) =>
          a.submit(
            e,
            (f) =>
              props.actions.schedule({
                viewId: f("viewId"),
                frequency: f("frequency"),
                cron: f("cron"),
                timeZone: f("timeZone"),
              }),
            ok("Scheduled. The first pack is made when its period ends."),
          )
        }
      >
        <label>
          Saved view
          <select name="viewId" required defaultValue={props.preselectedView}>
            <option value="">Choose a view…</option>
            {props.views.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Frequency
          <select name="frequency" defaultValue="daily">
            <option value="daily">Daily (local midnight)</option>
            <option value="weekly">Weekly (Monday)</option>
            <option value="monthly">Monthly (the 1st)</option>
            <option value="cron">Cron expression</option>
          </select>
        </label>
        <label>
          Cron (with frequency “cron”)
          <input name="cron" placeholder="0 6 * * 1-5" />
        </label>
        <label>
          Time zone (IANA)
          <input name="timeZone" required defaultValue="UTC" placeholder="Europe/Berlin" />
        </label>
        <button className="btn primary" disabled={a.pending}>
          Schedule review
        </button>
      </form>
      <h3>Templates</h3>
      <ul className="stack">
        {props.templates.map((t) => (
          <li key={t.id}>
            <button
              className="btn small"
              disabled={a.pending}
              onClick={() => a.run(() => props.actions.template(t.id, browserZone()), ok(`Scheduled "${t.title}".`))}
            >
              Create “{t.title}”
            </button>{" "}
            <span className="muted">{t.why}</span>
          </li>
        ))}
      </ul>
      <NoticeLine notice={a.notice} />
    </div>
  );
}
