"use client";

import { useState } from "react";
import { AdminTable } from "./admin-table.tsx";
import { ConfirmButton } from "./confirm-button.tsx";
import { CreateCard } from "./create-card.tsx";
import { ShownSecret } from "./shown-secret.tsx";
import { Time } from "./time.tsx";
import type { CreateFormProps, Result, UserRow } from "./types.ts";
import { useSecretAdminAction } from "./use-admin-action.ts";
import { Identifier } from "@/components/ui/identifier.tsx";

// Users: invite/create (the generated password is shown once), and per user:
// role, disable/enable, reset password. Every change goes through a server
// action that re-checks the session and is appended to the log.

type UserResult = Result<{ user: UserRow; password?: string }>;

export type UserActions = {
  create: (input: { email: string; role: string; name?: string }) => Promise<UserResult>;
  setRole: (email: string, role: string) => Promise<Result<{ user: UserRow }>>;
  setDisabled: (email: string, disabled: boolean) => Promise<Result<{ user: UserRow }>>;
  resetPassword: (email: string) => Promise<UserResult>;
};

type Secret = { title: string; value: string };

const HAND_OVER =
  "Hand this over out of band (in person, by phone or a password manager — not in the same message as the email address). It is not stored in readable form and will not be shown again.";

export function UsersAdmin({
  users,
  roles,
  selfId,
  ...actions
}: { users: UserRow[]; roles: readonly string[]; selfId: string | null } & UserActions) {
  const { setNotice, pending, run, submit, show, form } = useSecretAdminAction<Secret>();
  const ok = (text: string) => setNotice({ kind: "ok", text });

  const onCreate = (e: React.FormEvent<HTMLFormElement>) =>
    submit(
      e,
      (f) => actions.create({ email: f("email"), role: f("role"), name: f("name") }),
      (r) => {
        ok(`Created ${r.user.email} (${r.user.role}).`);
        if (r.password) show({ title: `Password for ${r.user.email} — shown once`, value: r.password });
      },
    );
  const onRole = (u: UserRow, role: string) =>
    run(
      () => actions.setRole(u.email, role),
      (r) => ok(`${r.user.email} is now ${r.user.role}; this applies on their next request.`),
    );
  const onDisabled = (u: UserRow, disabled: boolean) =>
    run(
      () => actions.setDisabled(u.email, disabled),
      (r) =>
        ok(
          disabled
            ? `Disabled ${r.user.email}; they are signed out on their next request.`
            : `Enabled ${r.user.email}.`,
        ),
    );
  const onReset = (u: UserRow) =>
    run(
      () => actions.resetPassword(u.email),
      (r) => {
        ok(`New password set for ${r.user.email}; their sessions have ended.`);
        if (r.password) show({ title: `New password for ${r.user.email} — shown once`, value: r.password });
        window.scrollTo({ top: 0, behavior: "smooth" });
      },
    );

  return (
    <>
      <CreateUserCard roles={roles} {...form(onCreate)} />
      <AdminTable
        title="Users"
        testId="users-table"
        columns={["Email", "Name", "Role", "Sign-in", "Status", "Created"]}
        empty={
          <>
            No users yet. Invite one above, or with <code>npx ledgerline users create --email … --role …</code>.
          </>
        }
        rows={users.map((u) => (
          <UserRowView
            key={u.id}
            user={u}
            roles={roles}
            self={u.id === selfId}
            busy={pending}
            onRole={(role) => onRole(u, role)}
            onDisabled={(disabled) => onDisabled(u, disabled)}
            onReset={() => onReset(u)}
          />
        ))}
      />
    </>
  );
}

function CreateUserCard(p: CreateFormProps<Secret> & { roles: readonly string[] }) {
  const { secret } = p;
  return (
    <CreateCard
      title="Invite a user"
      formTestId="create-user-form"
      formLabel="Create user"
      submitLabel="Create user"
      pending={p.pending}
      onSubmit={p.onSubmit}
      hint="A password is generated and shown once. Single sign-on users appear here by themselves after their first sign-in."
      notice={p.notice}
      secret={
        secret && <ShownSecret title={secret.title} value={secret.value} note={HAND_OVER} onDone={p.onSecretDone} />
      }
    >
      <label>
        Email
        <input
          name="email"
          type="email"
          required
          maxLength={254}
          autoComplete="off"
          placeholder="auditor@example.com"
        />
      </label>
      <label>
        Role
        <select name="role" defaultValue="auditor">
          {p.roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name (optional)
        <input name="name" maxLength={200} autoComplete="off" />
      </label>
    </CreateCard>
  );
}

function UserRowView({
  user: u,
  roles,
  self,
  busy,
  onRole,
  onDisabled,
  onReset,
}: {
  user: UserRow;
  roles: readonly string[];
  self: boolean;
  busy: boolean;
  onRole: (role: string) => void;
  onDisabled: (disabled: boolean) => void;
  onReset: () => void;
}) {
  return (
    <tr data-testid={`row-${u.email}`}>
      <td className="cell-ident">
        <Identifier value={u.email} copy={false} />
        {self && <span className="muted"> (you)</span>}
      </td>
      <td>{u.name ?? <span className="muted">—</span>}</td>
      <RoleCell user={u} roles={roles} self={self} busy={busy} onRole={onRole} />
      <td>{u.authProvider === "password" ? "password" : <span className="badge">{u.authProvider}</span>}</td>
      <td>
        <span className={`badge ${u.disabledAt ? "bad" : "ok"}`} data-testid="status">
          {u.disabledAt ? "disabled" : "active"}
        </span>
      </td>
      <td>
        <Time iso={u.createdAt} />
      </td>
      <UserActionsCell user={u} self={self} busy={busy} onDisabled={onDisabled} onReset={onReset} />
    </tr>
  );
}

/** The role select; Save appears once it differs from the stored role. Nobody changes their own. */
function RoleCell({
  user: u,
  roles,
  self,
  busy,
  onRole,
}: {
  user: UserRow;
  roles: readonly string[];
  self: boolean;
  busy: boolean;
  onRole: (role: string) => void;
}) {
  const [role, setRole] = useState<string>(u.role);
  return (
    <td>
      <span className="inline">
        <select
          aria-label={`Role of ${u.email}`}
          value={role}
          onChange={(e) => setRole(e.target.value)}
          disabled={self || busy}
          title={self ? "You cannot change your own role; ask another admin." : undefined}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {role !== u.role && (
          <button type="button" className="btn small primary" disabled={busy} onClick={() => onRole(role)}>
            Save
          </button>
        )}
      </span>
    </td>
  );
}

function UserActionsCell({
  user: u,
  self,
  busy,
  onDisabled,
  onReset,
}: {
  user: UserRow;
  self: boolean;
  busy: boolean;
  onDisabled: (disabled: boolean) => void;
  onReset: () => void;
}) {
  return (
    <td>
      <span className="inline" style={{ flexWrap: "wrap" }}>
        {u.disabledAt ? (
          <button type="button" className="btn small" disabled={busy} onClick={() => onDisabled(false)}>
            Enable
          </button>
        ) : (
          !self && (
            <ConfirmButton
              label="Disable"
              question={`Disable ${u.email}?`}
              confirmLabel="Disable"
              disabled={busy}
              onConfirm={() => onDisabled(true)}
            />
          )
        )}
        {u.authProvider === "password" && (
          <ConfirmButton
            label="Reset password"
            question="Replace the password and end their sessions?"
            confirmLabel="Reset"
            disabled={busy}
            onConfirm={onReset}
          />
        )}
      </span>
    </td>
  );
}
