"use client";

import { AdminTable } from "./admin-table.tsx";
import { ConfirmButton } from "./confirm-button.tsx";
import { CreateCard, CredentialStatus } from "./create-card.tsx";
import { ShownSecret } from "./shown-secret.tsx";
import { Time } from "./time.tsx";
import type { CreateFormProps, ReadTokenRow, Result } from "./types.ts";
import { useSecretAdminAction } from "./use-admin-action.ts";
import { Identifier } from "@/components/ui/identifier.tsx";

// Personal read tokens for auditors' scripts: each acts as its user with the
// user's current role, narrowed to its scopes (reading always; exporting bundles
// and starting full integrity passes only when ticked), is shown once, and can
// be revoked at any time.

/** Scopes beyond reading, with the roles that may hold them (lib/server/auth/permissions.ts). */
const EXTRA_SCOPES = [
  { scope: "bundles:create", label: "Create evidence bundles", roles: ["admin", "auditor"] },
  { scope: "integrity:run", label: "Start full integrity passes", roles: ["admin", "auditor"] },
] as const;

type ShownToken = { id: string; token: string; email: string; scopes: string[] };

export type TokenActions = {
  create: (input: { email: string; name?: string; scopes?: string[] }) => Promise<Result<ShownToken>>;
  revoke: (id: string) => Promise<Result<{ id: string }>>;
};

type Candidate = { email: string; role: string; disabled: boolean };

const USER_DISABLED = { label: "user disabled", why: "Its user is disabled; it works again if the user is enabled." };

export function TokensAdmin({
  tokens,
  users,
  ...actions
}: { tokens: ReadTokenRow[]; users: Candidate[] } & TokenActions) {
  const { pending, submit, revoke, show, form } = useSecretAdminAction<ShownToken>();
  const enabled = users.filter((u) => !u.disabled);
  const disabledUsers = new Set(users.filter((u) => u.disabled).map((u) => u.email));

  const onCreate = (e: React.FormEvent<HTMLFormElement>) =>
    submit(
      e,
      (f, all) => actions.create({ email: f("email"), name: f("name"), scopes: all("scope") }),
      (r) => show({ id: r.id, token: r.token, email: r.email, scopes: r.scopes }),
    );
  const onRevoke = (id: string) => revoke(id, () => actions.revoke(id));

  return (
    <>
      <CreateTokenCard users={users} canCreate={enabled.length > 0} {...form(onCreate)} />

      <AdminTable
        title="Read tokens"
        testId="tokens-table"
        columns={["Id", "User", "Name", "Scopes", "Created", "Last used", "Status"]}
        empty="No read tokens yet. Create one above when an auditor needs to script their reads."
        rows={tokens.map((t) => (
          <TokenRow
            key={t.id}
            t={t}
            userDisabled={disabledUsers.has(t.userEmail)}
            busy={pending}
            onRevoke={() => onRevoke(t.id)}
          />
        ))}
      />
    </>
  );
}

function TokenRow(p: { t: ReadTokenRow; userDisabled: boolean; busy: boolean; onRevoke: () => void }) {
  const { t } = p;
  return (
    <tr data-testid={`row-${t.id}`}>
      <td className="mono">{t.id}</td>
      <td className="cell-ident">
        <Identifier value={t.userEmail} copy={false} />
      </td>
      <td>{t.name ?? <span className="muted">—</span>}</td>
      <td className="mono" data-testid="scopes">
        {t.scopes.join(" ")}
      </td>
      <td>
        <Time iso={t.createdAt} />
      </td>
      <td>
        <Time iso={t.lastUsedAt} />
      </td>
      <td>
        <CredentialStatus revokedAt={t.revokedAt} blocked={p.userDisabled ? USER_DISABLED : undefined} />
      </td>
      <td>
        {!t.revokedAt && (
          <ConfirmButton
            label="Revoke"
            question="Revoke? Scripts using it get 401."
            confirmLabel="Revoke token"
            disabled={p.busy}
            onConfirm={p.onRevoke}
          />
        )}
      </td>
    </tr>
  );
}

function CreateTokenCard(p: CreateFormProps<ShownToken> & { users: Candidate[]; canCreate: boolean }) {
  const { secret } = p;
  return (
    <CreateCard
      title="Create a read token"
      formTestId="create-token-form"
      formLabel="Create read token"
      submitLabel="Create token"
      pending={p.pending}
      onSubmit={p.onSubmit}
      unavailable={!p.canCreate && "No active users to create a token for. Create or enable a user first."}
      hint={
        <>
          A token can read exactly what its user&apos;s role allows, at the time of each request; exporting bundles and
          starting full passes need the boxes above (and a role that allows them). Disabling the user stops it too.
        </>
      }
      notice={p.notice}
      secret={
        secret && (
          <ShownSecret
            title={`Read token ${secret.id} for ${secret.email} (${secret.scopes.join(", ")}) — shown once`}
            value={secret.token}
            note={
              <>
                Hand it to {secret.email} out of band. Scripts send it as{" "}
                <code>Authorization: Bearer &lt;token&gt;</code>. Only its hash is kept; it will not be shown again.
              </>
            }
            onDone={p.onSecretDone}
          />
        )
      }
    >
      <label>
        For user
        <select name="email" required defaultValue="">
          <option value="" disabled>
            Choose a user…
          </option>
          {p.users.map((u) => (
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
      <fieldset className="inline" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="muted">Besides reading, it may</legend>
        {EXTRA_SCOPES.map((s) => (
          <label
            key={s.scope}
            className="check"
            title={`${s.scope} — only for users whose role is ${s.roles.join(" or ")}`}
          >
            <input type="checkbox" name="scope" value={s.scope} /> {s.label}
          </label>
        ))}
      </fieldset>
    </CreateCard>
  );
}
