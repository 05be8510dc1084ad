import { RetentionAdmin } from "@/components/retention/retention-admin.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listRetention } from "@/lib/server/retention/policies.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { deletePolicyAction, placeHoldAction, pruneAction, releaseHoldAction, setPolicyAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Retention · Ledgerline" };

export default async function RetentionPage() {
  const principal = await requirePagePermission("/admin/retention", "retention:manage");
  const state = await listRetention(await getRuntime(), principal);
  return (
    <main className="stack">
      <header>
        <h1>Retention and legal holds</h1>
        <p className="muted">
          Entries past their policy and under no hold lose their body; a prune receipt in the log says what, why and who
          approved it, and every proof stays valid. Every change here is recorded in the log.
        </p>
      </header>
      <RetentionAdmin
        policies={state.policies}
        holds={state.holds}
        actions={{
          setPolicy: setPolicyAction,
          deletePolicy: deletePolicyAction,
          placeHold: placeHoldAction,
          releaseHold: releaseHoldAction,
          prune: pruneAction,
        }}
      />
    </main>
  );
}
