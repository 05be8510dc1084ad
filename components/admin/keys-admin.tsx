"use client";

import { useState, useTransition } from "react";
import { Identifier } from "@/components/ui/identifier.tsx";
import { AdminTable, ConfirmButton, NoticeLine, ShownSecret, Time } from "./bits.tsx";
import type { IngestKeyRow, Notice, Result } from "./types.ts";

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
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, startTransition] = useTransition();

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setNotice(null);
    startTransition(async () => {
      const r = await actions.create({
        source: String(f.get("source") ?? ""),
        description: String(f.get("description") ?? ""),
      });
      if (!r.ok) return setNotice({ kind: "error", text: r.error });
      form.reset();
      setSecret({ id: r.id, key: r.key, source: r.source });
    });
  }

  function onRevoke(id: string) {
    setNotice(null);
    startTransition(async () => {
      const r = await actions.revoke(id);
      setNotice(
        r.ok
          ? { kind: "ok", text: `Revoked ${id}; requests with it get 401 from now on.` }
          : { kind: "error", text: r.error },
      );
    });
  }

  return (
    <>
      <section className="card stack">
        <h2>Create an ingest key</h2>
        <form
          className="inline"
          style={{ flexWrap: "wrap", alignItems: "end" }}
          onSubmit={onCreate}
          data-testid="create-key-form"
          aria-label="Create ingest key"
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
          <button type="submit" className="btn primary" disabled={pending}>
            {pending ? "Working…" : "Create key"}
          </button>
        </form>
        <p className="muted">
          Every event sent with the key is recorded under this source identity; a service cannot write as another.
        </p>
        {secret && (
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
        )}
        <NoticeLine notice={notice} />
      </section>

      <AdminTable
        title="Ingest keys"
        testId="keys-table"
        columns={["Id", "Source", "Description", "Created", "Last used", "Status"]}
        empty="No ingest keys yet. Create one above for each service that sends events."
        rows={keys.map((k) => (
          <tr key={k.id} data-testid={`row-${k.id}`}>
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
              {k.revokedAt ? (
                <span className="badge bad" data-testid="status" title={`revoked ${k.revokedAt}`}>
                  revoked
                </span>
              ) : (
                <span className="badge ok" data-testid="status">
                  active
                </span>
              )}
            </td>
            <td>
              {!k.revokedAt && (
                <ConfirmButton
                  label="Revoke"
                  question="Revoke? The service's next request gets 401."
                  confirmLabel="Revoke key"
                  disabled={pending}
                  onConfirm={() => onRevoke(k.id)}
                />
              )}
            </td>
          </tr>
        ))}
      />
    </>
  );
}
