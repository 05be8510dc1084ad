"use client";

import Link from "next/link";
import { useState } from "react";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import { ScrollTable } from "@/components/ui/scroll-table.tsx";
import { NoticeLine } from "@/components/admin/notice-line.tsx";
import { ScheduleForm } from "./schedule-form.tsx";
import type { ReviewActions, ReviewPack, ScheduleListItem } from "./types.ts";

// /reviews: the schedules (next run), the packs (period, bundle status, sign-off) and, for
// those who may, the forms to schedule, run now and sign a pack off.

const utc = (iso: string | null) => (iso ? iso.replace("T", " ").replace(/:\d\d\.\d+Z$|:\d\dZ$/, " UTC") : "—");

function SignOff({ pack, signOff }: { pack: ReviewPack; signOff: ReviewActions["signOff"] }) {
  const a = useAdminAction();
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button className="btn small" onClick={() => setOpen(true)}>
        Mark reviewed
      </button>
    );
  return (
    <form
      className="stack"
      aria-label={`Sign off the pack of ${utc(pack.periodStart)}`}
      onSubmit={(e) =>
        a.submit(
          e,
          (f) => signOff(pack.id, f("comment")),
          () => setOpen(false),
        )
      }
    >
      <label>
        What you reviewed and found
        <textarea name="comment" required minLength={3} maxLength={1000} rows={3} />
      </label>
      <button className="btn small primary" disabled={a.pending}>
        Sign off
      </button>
      <NoticeLine notice={a.notice} />
    </form>
  );
}

function PackRow({
  p,
  name,
  canSignOff,
  signOff,
}: {
  p: ReviewPack;
  name: string;
  canSignOff: boolean;
  signOff: ReviewActions["signOff"];
}) {
  return (
    <tr data-testid="review-pack">
      <td>{name}</td>
      <td className="mono">
        {utc(p.periodStart)} → {utc(p.periodEnd)}
      </td>
      <td>
        <span className={`badge ${p.status === "ready" ? "ok" : p.status === "failed" ? "bad" : ""}`}>{p.status}</span>
        {p.count !== null && <> {p.count.toLocaleString("en-US")} entries</>}
        {p.error && <div className="bad">{p.error}</div>}
      </td>
      <td>
        <Link href={`/bundles/${p.bundleId}`}>Bundle</Link>
      </td>
      <td>
        {p.review ? (
          <span data-testid="review-done">
            Reviewed by {p.review.by}, {utc(p.review.at)} (seq {p.review.seq}): {p.review.comment}
          </span>
        ) : canSignOff && p.status === "ready" ? (
          <SignOff pack={p} signOff={signOff} />
        ) : (
          <span className="muted">Not reviewed</span>
        )}
      </td>
    </tr>
  );
}

function SchedulesTable({
  schedules,
  canManage,
  run,
}: {
  schedules: ScheduleListItem[];
  canManage: boolean;
  run: ReviewActions["run"];
}) {
  const a = useAdminAction();
  return (
    <>
      {schedules.length === 0 ? (
        <p className="muted">No review is scheduled yet.</p>
      ) : (
        <ScrollTable
          label="Review schedules"
          testId="review-schedules"
          columns={["Name", "View", "When", "Next run", canManage && "Run"]}
        >
          {schedules.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.viewName}</td>
              <td className="mono">
                {s.frequency} ({s.cron}) {s.timeZone}
              </td>
              <td className="mono">{s.enabled ? utc(s.nextRunAt) : "paused"}</td>
              {canManage && (
                <td>
                  <button
                    className="btn small"
                    disabled={a.pending}
                    onClick={() =>
                      a.run(
                        () => run(s.id),
                        () => a.setNotice({ kind: "ok", text: "Pack queued." }),
                      )
                    }
                  >
                    Run last period
                  </button>
                </td>
              )}
            </tr>
          ))}
        </ScrollTable>
      )}
      <NoticeLine notice={a.notice} />
    </>
  );
}

export function ReviewsBoard(props: {
  schedules: ScheduleListItem[];
  packs: ReviewPack[];
  views: Array<{ id: string; name: string }>;
  templates: Array<{ id: string; title: string; why: string }>;
  preselectedView: string;
  can: { manage: boolean; signoff: boolean };
  actions: ReviewActions;
}) {
  const names = new Map(props.schedules.map((s) => [s.id, s.name]));
  return (
    <div className="stack">
      <h2>Schedules</h2>
      <SchedulesTable schedules={props.schedules} canManage={props.can.manage} run={props.actions.run} />
      <h2>Packs</h2>
      {props.packs.length === 0 ? (
        <p className="muted">No pack yet: the first is made when a scheduled period ends.</p>
      ) : (
        <ScrollTable
          label="Review packs"
          testId="review-packs"
          columns={["Review", "Period", "Status", "Evidence", "Sign-off"]}
        >
          {props.packs.map((p) => (
            <PackRow
              key={p.id}
              p={p}
              name={names.get(p.scheduleId) ?? p.scheduleId}
              canSignOff={props.can.signoff}
              signOff={props.actions.signOff}
            />
          ))}
        </ScrollTable>
      )}
      {props.can.manage && (
        <ScheduleForm
          views={props.views}
          templates={props.templates}
          preselectedView={props.preselectedView}
          actions={props.actions}
        />
      )}
    </div>
  );
}
