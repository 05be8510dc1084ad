import { KeysAdmin } from "@/components/admin/keys-admin.tsx";
import { Forbidden } from "@/components/layout/forbidden.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { listIngestKeys } from "@/lib/server/ingest/ingest-keys.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { createIngestKeyAction, revokeIngestKeyAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Ingest keys · Ledgerline" };

export default async function KeysPage() {
  const { principal, allowed } = await pagePrincipal("/admin/keys", "keys:manage");
  if (!allowed) {
    return (
      <main>
        <Forbidden what="managing ingest keys" />
      </main>
    );
  }
  const keys = await listIngestKeys(await getRuntime(), principal);
  return (
    <main className="stack">
      <header>
        <h1>Ingest keys</h1>
        <p className="muted">
          Services authenticate to <code>POST /api/v1/events</code> with these keys. Each key is bound to one source
          identity and shown only once; creating and revoking keys is recorded in the log.
        </p>
      </header>
      <KeysAdmin keys={keys} create={createIngestKeyAction} revoke={revokeIngestKeyAction} />
    </main>
  );
}
