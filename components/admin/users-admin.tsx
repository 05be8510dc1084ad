"use client";

import { useState, useTransition } from "react";
import { Identifier } from "@/components/ui/identifier.tsx";
import { AdminTable, ConfirmButton, NoticeLine, ShownSecret, Time } from "./bits.tsx";
import type { Notice, Result, UserRow } from "./types.ts";

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
  const [secret, setSecret] = useState<Secret | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, startTransition] = useTransition();

  function run<T extends object>(call: () => Promise<Result<T>>, onOk: (r: { ok: true } & T) => void) {
    setNotice(null);
    startTransition(async () => {
      const r = await call();
      if (r.ok) onOk(r);
      else setNotice({ kind: "error", text: r.error });
    });
  }

  function onCreate(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const email = String(f.get("email") ?? "");
    run(
      () => actions.create({ email, role: String(f.get("role") ?? ""), name: String(f.get("name") ?? "") }),
      (r) => {
        form.reset();
        setNotice({ kind: "ok", text: `Created ${r.user.email} (${r.user.role}).` });
        if (r.password) setSecret({ title: `Password for ${r.user.email} — shown once`, value: r.password });
      },
    );
  }

  return (
    <>
      <section className="card stack">
        <h2>Invite a user</h2>
        <form
          className="inline"
          style={{ flexWrap: "wrap", alignItems: "end" }}
          onSubmit={onCreate}
          data-testid="create-user-form"
          aria-label="Create user"
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
              {roles.map((r) => (
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
          <button type="submit" className="btn primary" disabled={pending}>
            {pending ? "Working…" : "Create user"}
          </button>
        </form>
        <p className="muted">
          A password is generated and shown once. Single sign-on users appear here by themselves after their first
          sign-in.
        </p>
        {secret && (
          <ShownSecret title={secret.title} value={secret.value} note={HAND_OVER} onDone={() => setSecret(null)} />
        )}
        <NoticeLine notice={notice} />
      </section>

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
            onRole={(role) =>
              run(
                () => actions.setRole(u.email, role),
                (r) =>
                  setNotice({
                    kind: "ok",
                    text: `${r.user.email} is now ${r.user.role}; this applies on their next request.`,
                  }),
              )
            }
            onDisabled={(disabled) =>
              run(
                () => actions.setDisabled(u.email, disabled),
                (r) =>
                  setNotice({
                    kind: "ok",
                    text: disabled
                      ? `Disabled ${r.user.email}; they are signed out on their next request.`
                      : `Enabled ${r.user.email}.`,
                  }),
              )
            }
            onReset={() =>
              run(
                () => actions.resetPassword(u.email),
                (r) => {
                  setNotice({ kind: "ok", text: `New password set for ${r.user.email}; their sessions have ended.` });
                  if (r.password)
                    setSecret({ title: `New password for ${r.user.email} — shown once`, value: r.password });
                  window.scrollTo({ top: 0, behavior: "smooth" });
                },
              )
            }
          />
        ))}
      />
    </>
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
  const [role, setRole] = useState(u.role);
  return (
    <tr data-testid={`row-${u.email}`}>
      <td className="cell-ident">
        <Identifier value={u.email} copy={false} />
        {self && <span className="muted"> (you)</span>}
      </td>
      <td>{u.name ?? <span className="muted">—</span>}</td>
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
      <td>{u.authProvider === "password" ? "password" : <span className="badge">{u.authProvider}</span>}</td>
      <td>
        <span className={`badge ${u.disabledAt ? "bad" : "ok"}`} data-testid="status">
          {u.disabledAt ? "disabled" : "active"}
        </span>
      </td>
      <td>
        <Time iso={u.createdAt} />
      </td>
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
    </tr>
  );
}
