import { KeysAdmin } from "@/components/admin/keys-admin.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listIngestKeys } from "@/lib/server/ingest/ingest-keys.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { createIngestKeyAction, revokeIngestKeyAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Ingest keys · Ledgerline" };

export default async function KeysPage() {
  const principal = await requirePagePermission("/admin/keys", "keys:manage");
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
