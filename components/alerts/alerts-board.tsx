"use client";

import { AdminTable } from "@/components/admin/admin-table.tsx";
import { NoticeLine } from "@/components/admin/notice-line.tsx";
import type { Result } from "@/components/admin/types.ts";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";

// /alerts: open alerts first (acknowledge, resolve), then the recent history with each
// delivery's state. Every button goes through a server action whose use case checks the
// permission and logs the step (source ledgerline:alerts).

export type DeliveryItem = {
  id: string;
  kind: string;
  event: string;
  state: string;
  attempts: number;
  lastError: string | null;
};

export type AlertItem = {
  id: string;
  ruleName: string;
  key: string;
  state: "firing" | "acknowledged" | "resolved";
  summary: string;
  firedAt: string;
  firedSeq: number | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  deliveries: DeliveryItem[];
};

type Actions = {
  acknowledge: (id: string, comment: string) => Promise<Result<{ id: string }>>;
  resolve: (id: string, comment: string) => Promise<Result<{ id: string }>>;
  retry: (id: string) => Promise<Result<{ id: string }>>;
};

function Deliveries({
  items,
  canRetry,
  onRetry,
}: {
  items: DeliveryItem[];
  canRetry: boolean;
  onRetry: (id: string) => void;
}) {
  if (!items.length) return <span className="muted">none</span>;
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }}>
      {items.map((d) => (
        <li key={d.id} data-testid="delivery">
          {d.kind} ({d.event}): <strong>{d.state}</strong>
          {d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}
          {d.lastError && d.state !== "sent" ? <span className="muted"> — {d.lastError}</span> : null}
          {d.state === "failed" && canRetry ? (
            <>
              {" "}
              <button type="button" className="btn small" onClick={() => onRetry(d.id)}>
                Retry
              </button>
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

const stateText = (a: AlertItem) =>
  a.state === "acknowledged"
    ? `acknowledged by ${a.acknowledgedBy}`
    : a.state === "resolved"
      ? `resolved ${a.resolvedAt} by ${a.resolvedBy}`
      : "firing";

export function AlertsBoard(p: {
  open: AlertItem[];
  history: AlertItem[];
  canAcknowledge: boolean;
  canRetry: boolean;
  actions: Actions;
}) {
  const a = useAdminAction();
  const step = (kind: "acknowledge" | "resolve", x: AlertItem) => {
    const comment = (document.getElementById(`comment-${x.id}`) as HTMLInputElement | null)?.value ?? "";
    a.run(
      () => p.actions[kind](x.id, comment),
      () =>
        a.setNotice({
          kind: "ok",
          text: `Alert ${kind === "acknowledge" ? "acknowledged" : "resolved"}; the step is in the log.`,
        }),
    );
  };
  const retry = (id: string) =>
    a.run(
      () => p.actions.retry(id),
      () => a.setNotice({ kind: "ok", text: "The delivery will be sent again at the next pass." }),
    );
  const row = (x: AlertItem, actions: boolean) => (
    <AlertRow
      key={x.id}
      x={x}
      canAct={actions && p.canAcknowledge}
      canRetry={p.canRetry}
      pending={a.pending}
      onStep={step}
      onRetry={retry}
    />
  );
  const columns = ["Rule", "What", "Fired", "State", "Deliveries"];
  return (
    <>
      <NoticeLine notice={a.notice} />
      <AdminTable
        title="Open alerts"
        testId="open-alerts"
        columns={columns}
        empty="No open alerts."
        rows={p.open.map((x) => row(x, true))}
      />
      <AdminTable
        title="Recent alerts"
        testId="alert-history"
        columns={columns}
        empty="No alerts yet."
        rows={p.history.map((x) => row(x, false))}
      />
    </>
  );
}

function AlertRow(p: {
  x: AlertItem;
  canAct: boolean;
  canRetry: boolean;
  pending: boolean;
  onStep: (kind: "acknowledge" | "resolve", x: AlertItem) => void;
  onRetry: (id: string) => void;
}) {
  const { x } = p;
  return (
    <tr data-testid="alert-row" data-state={x.state}>
      <td>
        <strong>{x.ruleName}</strong>
        {x.key ? (
          <div className="mono" style={{ overflowWrap: "anywhere" }}>
            {x.key}
          </div>
        ) : null}
      </td>
      <td style={{ overflowWrap: "anywhere" }}>{x.summary}</td>
      <td className="mono">
        {x.firedAt}
        {x.firedSeq !== null ? <div className="muted">log seq {x.firedSeq}</div> : null}
      </td>
      <td>{stateText(x)}</td>
      <td>
        <Deliveries items={x.deliveries} canRetry={p.canRetry} onRetry={p.onRetry} />
      </td>
      <td>
        {p.canAct ? (
          <div className="stack" style={{ gap: 4 }}>
            <input id={`comment-${x.id}`} aria-label={`Comment on ${x.ruleName}`} placeholder="comment (optional)" />
            {x.state === "firing" ? (
              <button
                type="button"
                className="btn small"
                disabled={p.pending}
                onClick={() => p.onStep("acknowledge", x)}
              >
                Acknowledge
              </button>
            ) : null}
            <button type="button" className="btn small" disabled={p.pending} onClick={() => p.onStep("resolve", x)}>
              Resolve
            </button>
          </div>
        ) : null}
      </td>
    </tr>
  );
}
