"use client";

import { AdminTable } from "@/components/admin/admin-table.tsx";
import { ConfirmButton } from "@/components/admin/confirm-button.tsx";
import { CreateCard } from "@/components/admin/create-card.tsx";
import type { Result } from "@/components/admin/types.ts";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";
import { Instant } from "@/components/events/instant.tsx";
import { countOf } from "@/components/ui/count.ts";
import type { ErasureRow } from "@/lib/server/retention/erasures.ts";
import type { PersonalFieldRow } from "@/lib/server/retention/personal-store.ts";
import { ErasePanel, type EraseAction } from "./erase-panel.tsx";

// /admin/erasure: personal-field declarations per source, the erasure form (dry-run
// preview, then an explicit confirm) and the erasure receipts in the log. Every action
// is a server action calling the use case the CLI calls (check, validate, log, work).

type ErasureActions = {
  declare: (i: {
    source: string;
    pointer: string;
  }) => Promise<Result<{ source: string; pointer: string; auditSeq: number }>>;
  undeclare: (i: { source: string; pointer: string }) => Promise<Result<{ source: string; pointer: string }>>;
  erase: EraseAction;
};

/** The pointers the leaf can commit (lib/core/personal.ts personalPointerProblem): offered, not imposed. */
const COMMITTABLE = ["/requester/id", "/requester/ip", "/reason", "/attributes/"];

export function ErasureAdmin(p: { fields: PersonalFieldRow[]; erasures: ErasureRow[]; actions: ErasureActions }) {
  return (
    <>
      <datalist id="committable-pointers">
        {COMMITTABLE.map((x) => (
          <option key={x} value={x} />
        ))}
      </datalist>
      <DeclareSection fields={p.fields} actions={p.actions} />
      <ErasePanel erase={p.actions.erase} fields={p.fields} />
      <ErasuresTable erasures={p.erasures} />
    </>
  );
}

function DeclareSection({ fields, actions }: { fields: PersonalFieldRow[]; actions: ErasureActions }) {
  const a = useAdminAction();
  return (
    <>
      <CreateCard
        title="Declare a personal field"
        formTestId="declare-form"
        formLabel="Declare personal field"
        submitLabel="Declare"
        pending={a.pending}
        onSubmit={(e) =>
          a.submit(
            e,
            (f) => actions.declare({ source: f("source"), pointer: f("pointer") }),
            (r) =>
              a.setNotice({
                kind: "ok",
                text: `${r.pointer} is personal for ${r.source} from now on (log seq ${r.auditSeq}); stored entries keep their leaves.`,
              }),
          )
        }
        hint={
          <>
            Applies to events sequenced from now on: a stored leaf never changes, so earlier values can be pruned, not
            erased. Committable: <code>/requester/id</code>, <code>/requester/ip</code>, <code>/reason</code>,{" "}
            <code>/attributes/&lt;name&gt;</code>. Kubernetes audit usernames (<code>/requester/id</code>,{" "}
            <code>/attributes/k8s.impersonated_user</code>) are always committed.
          </>
        }
        secret={null}
        notice={a.notice}
      >
        <label>
          Source (or * for every source)
          <input name="source" required placeholder="payments-api" autoComplete="off" />
        </label>
        <label>
          JSON pointer
          <input name="pointer" required placeholder="/requester/ip" list="committable-pointers" autoComplete="off" />
        </label>
      </CreateCard>
      <FieldsTable fields={fields} actions={actions} a={a} />
    </>
  );
}

function FieldsTable(p: { fields: PersonalFieldRow[]; actions: ErasureActions; a: ReturnType<typeof useAdminAction> }) {
  const { a } = p;
  return (
    <AdminTable
      title="Personal fields"
      testId="personal-fields-table"
      columns={["Source", "Pointer", "Declared"]}
      empty="No personal fields declared: events keep every field in the leaf (v1), except Kubernetes audit usernames."
      rows={p.fields.map((x) => (
        <tr key={`${x.source} ${x.pointer}`} data-testid="personal-field-row">
          <td className="mono">{x.source}</td>
          <td className="mono">{x.pointer}</td>
          <td className="muted">
            {x.updatedBy} (<a href={`/events/${x.auditSeq}`}>seq {x.auditSeq}</a>)
          </td>
          <td>
            <ConfirmButton
              label="Undeclare"
              question="Undeclare? Later events keep this field in the leaf, where it can never be erased."
              confirmLabel="Undeclare"
              disabled={a.pending}
              onConfirm={() =>
                a.run(
                  () => p.actions.undeclare({ source: x.source, pointer: x.pointer }),
                  (r) => a.setNotice({ kind: "ok", text: `${r.pointer} is no longer committed for ${r.source}.` }),
                )
              }
            />
          </td>
        </tr>
      ))}
    />
  );
}

function ErasuresTable({ erasures }: { erasures: ErasureRow[] }) {
  return (
    <AdminTable
      title="Erasure receipts"
      testId="erasures-table"
      columns={["Erased", "Field", "Request", "Entries", "Approved by", "Receipt"]}
      empty="No erasure yet."
      rows={erasures.map((x) => (
        <tr key={x.seq} data-testid="erasure-row">
          <td>
            <Instant iso={x.at} />
          </td>
          <td className="mono">{x.field}</td>
          <td>{x.request}</td>
          <td>{countOf(x.count, "entry", "entries")}</td>
          <td className="muted">{x.approvedBy}</td>
          <td>
            <a href={`/events/${x.seq}`} data-testid="erasure-receipt-link">
              seq {x.seq}
            </a>
          </td>
          <td />
        </tr>
      ))}
    />
  );
}
