"use client";

import { countOf } from "@/components/ui/count.ts";
import { useState } from "react";
import { AdminTable } from "@/components/admin/admin-table.tsx";
import { ConfirmButton } from "@/components/admin/confirm-button.tsx";
import { CreateCard } from "@/components/admin/create-card.tsx";
import { NoticeLine } from "@/components/admin/notice-line.tsx";
import type { Result } from "@/components/admin/types.ts";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import type { PruneReport } from "@/lib/server/retention/prune.ts";
import type { HoldRow, PolicyRow } from "@/lib/server/retention/store.ts";

// /admin/retention: policies, legal holds, and the prune job with a dry-run preview.
// Every action goes through a server action whose use case checks, validates and logs.

type Actions = {
  setPolicy: (i: {
    name: string;
    days: string;
    forever: boolean;
    filter: string;
    belowPci: boolean;
    archive: boolean;
  }) => Promise<Result<{ name: string }>>;
  deletePolicy: (name: string) => Promise<Result<{ name: string }>>;
  placeHold: (i: { filter: string; reason: string; caseRef: string }) => Promise<Result<{ id: string }>>;
  releaseHold: (id: string) => Promise<Result<{ id: string }>>;
  prune: (dryRun: boolean) => Promise<Result<{ report: PruneReport }>>;
};

const days = (d: number | null) => (d === null ? "for ever" : `${d.toLocaleString("en-US")} days`);
const filterText = (f: object) => (Object.keys(f).length ? JSON.stringify(f) : "everything else");

export function RetentionAdmin(p: { policies: PolicyRow[]; holds: HoldRow[]; actions: Actions }) {
  return (
    <>
      <PolicySection policies={p.policies} actions={p.actions} />
      <HoldSection holds={p.holds} actions={p.actions} />
      <PruneSection prune={p.actions.prune} />
    </>
  );
}

function PolicySection({ policies, actions }: { policies: PolicyRow[]; actions: Actions }) {
  const a = useAdminAction();
  return (
    <>
      <CreateCard
        title="Set a retention policy"
        formTestId="policy-form"
        formLabel="Set retention policy"
        submitLabel="Save policy"
        pending={a.pending}
        onSubmit={(e) =>
          a.submit(
            e,
            (f) =>
              actions.setPolicy({
                name: f("name"),
                days: f("days"),
                forever: f("forever") === "on",
                filter: f("filter"),
                belowPci: f("belowPci") === "on",
                archive: f("archive") === "on",
              }),
            (r) => a.setNotice({ kind: "ok", text: `Saved policy ${r.name}; the change is in the log.` }),
          )
        }
        hint={
          <>
            The longest matching policy wins; <code>default</code> covers entries no other policy matches. Under 365
            days (PCI DSS 10.5.1) needs the acknowledgement.
          </>
        }
        secret={null}
        notice={a.notice}
      >
        <PolicyFields />
      </CreateCard>
      <AdminTable
        title="Policies"
        testId="policies-table"
        columns={["Name", "Keeps", "Covers", "Last change"]}
        empty="No policies."
        rows={policies.map((x) => (
          <tr key={x.name}>
            <td className="mono">{x.name}</td>
            <td>
              {days(x.days)}
              {x.archive && <span className="muted"> · archived first</span>}
            </td>
            <td className="mono">{filterText(x.filter)}</td>
            <td className="muted">
              {x.updatedBy} (seq {x.auditSeq})
            </td>
            <td>
              {x.name !== "default" && (
                <ConfirmButton
                  label="Delete"
                  question="Delete? Its entries follow the default policy."
                  confirmLabel="Delete policy"
                  disabled={a.pending}
                  onConfirm={() =>
                    a.run(
                      () => actions.deletePolicy(x.name),
                      () => a.setNotice({ kind: "ok", text: `Deleted ${x.name}.` }),
                    )
                  }
                />
              )}
            </td>
          </tr>
        ))}
      />
    </>
  );
}

function PolicyFields() {
  return (
    <>
      <label>
        Name
        <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,62}" placeholder="payments" />
      </label>
      <label>
        Days
        <input name="days" type="number" min={1} max={36500} placeholder="400" />
      </label>
      <label className="check">
        <input name="forever" type="checkbox" /> Keep for ever
      </label>
      <label>
        Filter (explorer filter as JSON)
        <input name="filter" placeholder='{"service": "payments"}' />
      </label>
      <label className="check">
        <input name="belowPci" type="checkbox" /> Below 365 days: no PCI scope applies
      </label>
      <label className="check">
        <input name="archive" type="checkbox" /> Archive before pruning (monthly signed bundles in the archive
        directory)
      </label>
    </>
  );
}

function HoldSection({ holds, actions }: { holds: HoldRow[]; actions: Actions }) {
  const a = useAdminAction();
  return (
    <>
      <CreateCard
        title="Place a legal hold"
        formTestId="hold-form"
        formLabel="Place legal hold"
        submitLabel="Place hold"
        pending={a.pending}
        onSubmit={(e) =>
          a.submit(
            e,
            (f) => actions.placeHold({ filter: f("filter"), reason: f("reason"), caseRef: f("caseRef") }),
            (r) => a.setNotice({ kind: "ok", text: `Placed hold ${r.id}; matching entries will not be pruned.` }),
          )
        }
        hint={<>Held entries are never pruned until the hold is released. Placing and releasing are log entries.</>}
        secret={null}
        notice={a.notice}
      >
        <label>
          Filter (JSON)
          <input name="filter" required placeholder='{"requester": "alice@example.com"}' />
        </label>
        <label>
          Reason
          <input name="reason" required minLength={3} />
        </label>
        <label>
          Case reference
          <input name="caseRef" required />
        </label>
      </CreateCard>
      <AdminTable
        title="Legal holds"
        testId="holds-table"
        columns={["Hold", "Case", "Covers", "Reason", "Status"]}
        empty="No legal holds."
        rows={holds.map((h) => (
          <tr key={h.id}>
            <td className="mono">{h.id}</td>
            <td>{h.caseRef}</td>
            <td className="mono">{JSON.stringify(h.filter)}</td>
            <td>{h.reason}</td>
            <td>{h.releasedAt ? `released by ${h.releasedBy}` : <strong>active</strong>}</td>
            <td>
              {!h.releasedAt && (
                <ConfirmButton
                  label="Release"
                  question="Release? The next prune applies the policies to these entries."
                  confirmLabel="Release hold"
                  disabled={a.pending}
                  onConfirm={() =>
                    a.run(
                      () => actions.releaseHold(h.id),
                      () => a.setNotice({ kind: "ok", text: `Released ${h.id}.` }),
                    )
                  }
                />
              )}
            </td>
          </tr>
        ))}
      />
    </>
  );
}

function PruneSection({ prune }: { prune: Actions["prune"] }) {
  const a = useAdminAction();
  const [report, setReport] = useState<PruneReport | null>(null);
  const due = report?.plan.reduce((n, x) => n + x.due, 0) ?? 0;
  return (
    <section className="card" data-testid="prune-card">
      <h2>Prune</h2>
      <p className="muted">
        Preview first: the counts per policy of entries due now and of those a hold keeps. Pruning appends a receipt
        entry per batch, then clears those bodies.
      </p>
      <div className="inline">
        <button
          type="button"
          className="btn"
          disabled={a.pending}
          onClick={() =>
            a.run(
              () => prune(true),
              (r) => setReport(r.report),
            )
          }
          data-testid="prune-preview"
        >
          Preview (dry run)
        </button>
        {report?.dryRun && due > 0 && (
          <ConfirmButton
            label={`Prune ${countOf(due, "entry", "entries")}`}
            question="Prune now? Bodies are cleared for good; receipts stay in the log."
            confirmLabel="Prune"
            disabled={a.pending}
            onConfirm={() =>
              a.run(
                () => prune(false),
                (r) => setReport(r.report),
              )
            }
          />
        )}
      </div>
      {report && <PrunePlan report={report} />}
      <NoticeLine notice={a.notice} />
    </section>
  );
}

function PrunePlan({ report }: { report: PruneReport }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Prune plan">
      <table className="plain" data-testid="prune-plan">
        <thead>
          <tr>
            <th>Policy</th>
            <th>Keeps</th>
            <th>Due now</th>
            <th>Held</th>
          </tr>
        </thead>
        <tbody>
          {report.plan.map((x) => (
            <tr key={x.policy}>
              <td className="mono">{x.policy}</td>
              <td>{days(x.days)}</td>
              <td>{x.due.toLocaleString("en-US")}</td>
              <td>{x.held.toLocaleString("en-US")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!report.dryRun && (
        <p role="status" className="ok" data-testid="prune-done">
          Pruned {countOf(report.pruned, "entry", "entries")} under {countOf(report.receipts.length, "receipt")}.
          {report.archived.length > 0 && <> Archived first: {report.archived.join(", ")}.</>}
        </p>
      )}
    </div>
  );
}
