import { UsersAdmin } from "@/components/admin/users-admin.tsx";
import { ROLES } from "@/lib/server/auth/permissions.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { listUsers } from "@/lib/server/auth/users.ts";
import { createUserAction, resetUserPasswordAction, setUserDisabledAction, setUserRoleAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users · Ledgerline" };

export default async function UsersPage() {
  const principal = await requirePagePermission("/admin/users", "users:manage");
  const users = await listUsers(await getRuntime(), principal);
  return (
    <main className="stack">
      <header>
        <h1>Users</h1>
        <p className="muted">
          Who may sign in, and with which role: <strong>admin</strong> manages users and keys, <strong>auditor</strong>{" "}
          reviews and exports evidence, <strong>analyst</strong> reads events and timelines. Changes apply on the
          user&apos;s next request and are recorded in the log.
        </p>
      </header>
      <UsersAdmin
        users={users}
        roles={ROLES}
        selfId={principal.kind === "user" ? principal.userId : null}
        create={createUserAction}
        setRole={setUserRoleAction}
        setDisabled={setUserDisabledAction}
        resetPassword={resetUserPasswordAction}
      />
    </main>
  );
}
