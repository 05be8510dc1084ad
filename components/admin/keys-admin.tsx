"use client";

import { useState } from "react";
import { AdminTable } from "./admin-table.tsx";
import { ConfirmButton } from "./confirm-button.tsx";
import { CreateCard, CredentialStatus } from "./create-card.tsx";
import { ShownSecret } from "./shown-secret.tsx";
import { Time } from "./time.tsx";
import type { IngestKeyRow, Result } from "./types.ts";
import { useAdminAction } from "./use-admin-action.ts";
import { Identifier } from "@/components/ui/identifier.tsx";

// Ingest keys: one per sending service, bound to its source identity. The key
// is shown once at creation (only its SHA-256 is stored); revoking is immediate.

export type KeyActions = {
  create: (input: {
    source: string;
    description?: string;
  }) => Promise<Result<{ id: string; key: string; source: string }>>;
  revoke: (id: string) => Promise<Result<{ key: IngestKeyRow }>>;
};

export function KeysAdmin({ keys, ...actions }: { keys: IngestKeyRow[] } & KeyActions) {
  const [secret, setSecret] = useState<{ id: string; key: string; source: string } | null>(null);
  const { notice, pending, submit, revoke } = useAdminAction();

  const onCreate = (e: React.FormEvent<HTMLFormElement>) =>
    submit(
      e,
      (f) => actions.create({ source: f("source"), description: f("description") }),
      (r) => setSecret({ id: r.id, key: r.key, source: r.source }),
    );
  const onRevoke = (id: string) => revoke(id, () => actions.revoke(id));

  return (
    <>
      <CreateCard
        title="Create an ingest key"
        formTestId="create-key-form"
        formLabel="Create ingest key"
        submitLabel="Create key"
        pending={pending}
        onSubmit={onCreate}
        hint="Every event sent with the key is recorded under this source identity; a service cannot write as another."
        notice={notice}
        secret={
          secret && (
            <ShownSecret
              title={`Ingest key ${secret.id} for ${secret.source} — shown once`}
              value={secret.key}
              note={
                <>
                  Put it in the sending service&apos;s secret store and send it as{" "}
                  <code>Authorization: Bearer &lt;key&gt;</code> to <code>POST /api/v1/events</code>. Only its hash is
                  kept; it will not be shown again.
                </>
              }
              onDone={() => setSecret(null)}
            />
          )
        }
      >
        <label style={{ flex: "2 1 320px" }}>
          Source identity
          <input
            name="source"
            required
            maxLength={512}
            autoComplete="off"
            spellCheck={false}
            placeholder="spiffe://prod/ns/payments/sa/api"
            className="mono"
          />
        </label>
        <label style={{ flex: "1 1 200px" }}>
          Description (optional)
          <input name="description" maxLength={500} autoComplete="off" placeholder="payments API, eu-west" />
        </label>
      </CreateCard>

      <AdminTable
        title="Ingest keys"
        testId="keys-table"
        columns={["Id", "Source", "Description", "Created", "Last used", "Status"]}
        empty="No ingest keys yet. Create one above for each service that sends events."
        rows={keys.map((k) => (
          <KeyRow key={k.id} k={k} busy={pending} onRevoke={() => onRevoke(k.id)} />
        ))}
      />
    </>
  );
}

const RESERVED_SOURCE = {
  label: "refused: reserved source",
  why: "Bound to the reserved ledgerline: namespace (Ledgerline's own meta-audit records): every request with it is refused. Revoke it.",
};

function KeyRow({ k, busy, onRevoke }: { k: IngestKeyRow; busy: boolean; onRevoke: () => void }) {
  return (
    <tr data-testid={`row-${k.id}`}>
      <td className="mono">{k.id}</td>
      <td className="cell-ident">
        <Identifier value={k.source} copy="source identity" className="mono" />
      </td>
      <td>{k.description ?? <span className="muted">—</span>}</td>
      <td>
        <Time iso={k.createdAt} />
      </td>
      <td>
        <Time iso={k.lastUsedAt} />
      </td>
      <td>
        <CredentialStatus revokedAt={k.revokedAt} blocked={k.reservedSource ? RESERVED_SOURCE : undefined} />
      </td>
      <td>
        {!k.revokedAt && (
          <ConfirmButton
            label="Revoke"
            question="Revoke? The service's next request gets 401."
            confirmLabel="Revoke key"
            disabled={busy}
            onConfirm={onRevoke}
          />
        )}
      </td>
    </tr>
  );
}
