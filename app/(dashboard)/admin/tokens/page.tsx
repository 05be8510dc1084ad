import { TokensAdmin } from "@/components/admin/tokens-admin.tsx";
import { can } from "@/lib/server/auth/permissions.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { listReadTokens } from "@/lib/server/auth/read-tokens.ts";
import { listUsers } from "@/lib/server/auth/users.ts";
import { createReadTokenAction, revokeReadTokenAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Read tokens · Ledgerline" };

export default async function TokensPage() {
  const principal = await requirePagePermission("/admin/tokens", "tokens:manage");
  const ledger = await getRuntime();
  const [tokens, users] = await Promise.all([
    listReadTokens(ledger, principal),
    can(principal.role, "users:manage") ? listUsers(ledger, principal) : Promise.resolve([]),
  ]);
  return (
    <main className="stack">
      <header>
        <h1>Personal read tokens</h1>
        <p className="muted">
          For auditors&apos; scripts: a token reads what its user&apos;s role allows, re-checked on every request. Shown
          once; creating and revoking tokens is recorded in the log.
        </p>
      </header>
      <TokensAdmin
        tokens={tokens}
        users={users.map((u) => ({ email: u.email, role: u.role, disabled: u.disabledAt !== null }))}
        create={createReadTokenAction}
        revoke={revokeReadTokenAction}
      />
    </main>
  );
}
