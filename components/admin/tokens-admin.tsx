"use client";

import { useState, useTransition } from "react";
import { Identifier } from "@/components/ui/identifier.tsx";
import { AdminTable, ConfirmButton, NoticeLine, ShownSecret, Time } from "./bits.tsx";
import type { Notice, ReadTokenRow, Result } from "./types.ts";

// Personal read tokens for auditors' scripts: each acts as its user with the
// user's current role, is shown once, and can be revoked at any time.

export type TokenActions = {
  create: (input: { email: string; name?: string }) => Promise<Result<{ id: string; token: string; email: string }>>;
  revoke: (id: string) => Promise<Result<{ id: string }>>;
};

type Candidate = { email: string; role: string; disabled: boolean };

export function TokensAdmin({
  tokens,
  users,
  ...actions
}: { tokens: ReadTokenRow[]; users: Candidate[] } & TokenActions) {
  const [secret, setSecret] = useState<{ id: string; token: string; email: string } | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, startTransition] = useTransition();
  const enabled = users.filter((u) => !u.disabled);
  const disabledUsers = new Set(users.filter((u) => u.disabled).map((u) => u.email));

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setNotice(null);
    startTransition(async () => {
      const r = await actions.create({ email: String(f.get("email") ?? ""), name: String(f.get("name") ?? "") });
      if (!r.ok) return setNotice({ kind: "error", text: r.error });
      form.reset();
      setSecret({ id: r.id, token: r.token, email: r.email });
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
        <h2>Create a read token</h2>
        {enabled.length === 0 ? (
          <p className="muted" data-testid="create-token-form">
            No active users to create a token for. Create or enable a user first.
          </p>
        ) : (
          <form
            className="inline"
            style={{ flexWrap: "wrap", alignItems: "end" }}
            onSubmit={onCreate}
            data-testid="create-token-form"
            aria-label="Create read token"
          >
            <label>
              For user
              <select name="email" required defaultValue="">
                <option value="" disabled>
                  Choose a user…
                </option>
                {users.map((u) => (
                  <option key={u.email} value={u.email} disabled={u.disabled}>
                    {u.email} ({u.disabled ? "disabled" : u.role})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Name (optional)
              <input name="name" maxLength={200} autoComplete="off" placeholder="evidence export script" />
            </label>
            <button type="submit" className="btn primary" disabled={pending}>
              {pending ? "Working…" : "Create token"}
            </button>
          </form>
        )}
        <p className="muted">
          A token can read exactly what its user&apos;s role allows, at the time of each request; disabling the user
          stops it too.
        </p>
        {secret && (
          <ShownSecret
            title={`Read token ${secret.id} for ${secret.email} — shown once`}
            value={secret.token}
            note={
              <>
                Hand it to {secret.email} out of band. Scripts send it as{" "}
                <code>Authorization: Bearer &lt;token&gt;</code>. Only its hash is kept; it will not be shown again.
              </>
            }
            onDone={() => setSecret(null)}
          />
        )}
        <NoticeLine notice={notice} />
      </section>

      <AdminTable
        title="Read tokens"
        testId="tokens-table"
        columns={["Id", "User", "Name", "Created", "Last used", "Status"]}
        empty="No read tokens yet. Create one above when an auditor needs to script their reads."
        rows={tokens.map((t) => (
          <tr key={t.id} data-testid={`row-${t.id}`}>
            <td className="mono">{t.id}</td>
            <td className="cell-ident">
              <Identifier value={t.userEmail} copy={false} />
            </td>
            <td>{t.name ?? <span className="muted">—</span>}</td>
            <td>
              <Time iso={t.createdAt} />
            </td>
            <td>
              <Time iso={t.lastUsedAt} />
            </td>
            <td>
              {t.revokedAt ? (
                <span className="badge bad" data-testid="status" title={`revoked ${t.revokedAt}`}>
                  revoked
                </span>
              ) : disabledUsers.has(t.userEmail) ? (
                <span
                  className="badge bad"
                  data-testid="status"
                  title="Its user is disabled; it works again if the user is enabled."
                >
                  user disabled
                </span>
              ) : (
                <span className="badge ok" data-testid="status">
                  active
                </span>
              )}
            </td>
            <td>
              {!t.revokedAt && (
                <ConfirmButton
                  label="Revoke"
                  question="Revoke? Scripts using it get 401."
                  confirmLabel="Revoke token"
                  disabled={pending}
                  onConfirm={() => onRevoke(t.id)}
                />
              )}
            </td>
          </tr>
        ))}
      />
    </>
  );
}
