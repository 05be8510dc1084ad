import { SiemAdmin } from "@/components/siem/siem-admin.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { latestCheckpointRow } from "@/lib/server/ledger/store/checkpoints.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { listSiemDestinations } from "@/lib/server/siem/service.ts";
import {
  createDestinationAction,
  deleteDestinationAction,
  replayDestinationAction,
  setDestinationStateAction,
} from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "SIEM streaming · Ledgerline" };

// Where the log is copied to, how far behind each copy is, and its last error. Auditors
// see it (siem:read: "is every entry reaching the SIEM?"); only admins change it.
export default async function SiemPage() {
  const principal = await requirePagePermission("/siem", "siem:read");
  const rt = await getRuntime();
  const destinations = await listSiemDestinations(rt, principal);
  const covered = (await latestCheckpointRow(rt.db))?.tree_size ?? 0;
  return (
    <main className="stack">
      <header>
        <h1>SIEM streaming</h1>
        <p className="muted">
          Every entry a signed checkpoint covers is copied to each destination, in order, at least once. Each record
          carries its <code>seq</code>, <code>leafHash</code> and the covering checkpoint size, so a SIEM copy can be
          proven against this log. Every change here is recorded in the log.
        </p>
      </header>
      <SiemAdmin
        destinations={destinations}
        covered={covered}
        canManage={can(principal.role, "siem:manage")}
        actions={{
          create: createDestinationAction,
          setState: setDestinationStateAction,
          replay: replayDestinationAction,
          remove: deleteDestinationAction,
        }}
      />
    </main>
  );
}
