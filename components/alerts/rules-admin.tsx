"use client";

import { AdminTable } from "@/components/admin/admin-table.tsx";
import { ConfirmButton } from "@/components/admin/confirm-button.tsx";
import { CreateCard } from "@/components/admin/create-card.tsx";
import type { Result } from "@/components/admin/types.ts";
import { useAdminAction } from "@/components/admin/use-admin-action.ts";

// The rules of /alerts: everyone who reads alerts sees them (what is watched, and how);
// admins add and remove them. Syslog channels are set through the API or the CLI.

export type RuleItem = {
  id: string;
  name: string;
  enabled: boolean;
  filter: object;
  condition: { kind: string } & Record<string, unknown>;
  channels: Array<{ kind: string }>;
  readsRollup: boolean;
  createdBy: string;
};

type RuleFields = Record<
  | "name"
  | "filter"
  | "kind"
  | "windowMinutes"
  | "threshold"
  | "factor"
  | "minCount"
  | "minutes"
  | "webhook"
  | "slack"
  | "email",
  string
>;

type Actions = {
  create: (f: RuleFields) => Promise<Result<{ name: string }>>;
  remove: (id: string) => Promise<Result<{ id: string }>>;
  evaluate: () => Promise<Result<{ fired: number; rules: number }>>;
};

const conditionText = (c: RuleItem["condition"]) => {
  if (c.kind === "count") return `≥ ${c.threshold} in ${c.windowMinutes} min`;
  if (c.kind === "baseline")
    return `≥ ${c.factor}× the ${c.days}-day mean for that time of day (${c.windowMinutes} min, at least ${c.minCount})`;
  if (c.kind === "silent") return `a source silent for ${c.minutes} min`;
  return "integrity or witness failure logged";
};

function RuleFieldsInputs() {
  return (
    <>
      <label>
        Name
        <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,62}" placeholder="denied-spike" />
      </label>
      <label>
        Filter (explorer filter as JSON)
        <input name="filter" placeholder='{"outcome": ["denied"]}' />
      </label>
      <label>
        Condition
        <select name="kind" defaultValue="baseline">
          <option value="count">count in a window</option>
          <option value="baseline">rate against a baseline</option>
          <option value="silent">source gone silent</option>
          <option value="integrity">integrity or witness failure</option>
        </select>
      </label>
      <label>
        Window (min)
        <input name="windowMinutes" type="number" min={10} step={10} placeholder="60" />
      </label>
      <label>
        Threshold
        <input name="threshold" type="number" min={1} placeholder="count rules" />
      </label>
      <label>
        Factor
        <input name="factor" type="number" min={1} step="any" placeholder="3" />
      </label>
      <label>
        Min. count
        <input name="minCount" type="number" min={1} placeholder="10" />
      </label>
      <label>
        Silent after (min)
        <input name="minutes" type="number" min={1} placeholder="15" />
      </label>
      <label>
        Signed webhook URL
        <input name="webhook" type="url" placeholder="https://…" />
      </label>
      <label>
        Slack webhook URL
        <input name="slack" type="url" placeholder="https://hooks.slack.com/…" />
      </label>
      <label>
        Email to
        <input name="email" placeholder="oncall@example.com, …" />
      </label>
    </>
  );
}

const FIELDS = [
  "name",
  "filter",
  "kind",
  "windowMinutes",
  "threshold",
  "factor",
  "minCount",
  "minutes",
  "webhook",
  "slack",
  "email",
] as const;

export function RulesAdmin(p: { rules: RuleItem[]; canManage: boolean; actions: Actions }) {
  const a = useAdminAction();
  const rows = p.rules.map((r) => (
    <RuleRow
      key={r.id}
      r={r}
      canManage={p.canManage}
      pending={a.pending}
      onRemove={() =>
        a.run(
          () => p.actions.remove(r.id),
          () => a.setNotice({ kind: "ok", text: `Removed ${r.name}.` }),
        )
      }
    />
  ));
  return (
    <>
      {p.canManage ? (
        <CreateCard
          title="Add an alert rule"
          formTestId="rule-form"
          formLabel="Add alert rule"
          submitLabel="Add rule"
          pending={a.pending}
          onSubmit={(e) =>
            a.submit(
              e,
              (f) => p.actions.create(Object.fromEntries(FIELDS.map((k) => [k, f(k)])) as RuleFields),
              (r) => a.setNotice({ kind: "ok", text: `Added rule ${r.name}; the change is in the log.` }),
            )
          }
          hint={
            <>
              Windows are multiples of 10 minutes. A filter of source and outcome only reads the rollup; other filters
              count entries over the window. Syslog channels: <code>ledgerline alerts rules add</code> or the API.{" "}
              <button
                type="button"
                className="btn small"
                disabled={a.pending}
                onClick={() =>
                  a.run(p.actions.evaluate, (r) =>
                    a.setNotice({ kind: "ok", text: `Evaluated ${r.rules} rules: ${r.fired} fired.` }),
                  )
                }
              >
                Evaluate now
              </button>
            </>
          }
          secret={null}
          notice={a.notice}
        >
          <RuleFieldsInputs />
        </CreateCard>
      ) : null}
      <AdminTable
        title="Rules"
        testId="rules-table"
        columns={["Name", "Condition", "Filter", "Channels"]}
        empty={p.canManage ? "No rules yet: add one above." : "No rules yet; an admin adds them."}
        rows={rows}
      />
    </>
  );
}

function RuleRow({
  r,
  canManage,
  pending,
  onRemove,
}: {
  r: RuleItem;
  canManage: boolean;
  pending: boolean;
  onRemove: () => void;
}) {
  return (
    <tr data-testid="rule-row">
      <td className="mono">{r.name}</td>
      <td>
        {conditionText(r.condition)}
        {r.enabled ? "" : " (paused)"}
      </td>
      <td className="mono" style={{ overflowWrap: "anywhere" }}>
        {Object.keys(r.filter).length ? JSON.stringify(r.filter) : "every entry"}
        <div className="muted">{r.readsRollup ? "reads the rollup" : "counts entries"}</div>
      </td>
      <td>{r.channels.map((c) => c.kind).join(", ") || "log only"}</td>
      <td>
        {canManage ? (
          <ConfirmButton
            label="Remove"
            question="Remove? Its open alerts are resolved."
            confirmLabel="Remove rule"
            disabled={pending}
            onConfirm={onRemove}
          />
        ) : null}
      </td>
    </tr>
  );
}
