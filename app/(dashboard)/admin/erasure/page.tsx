import { ErasureAdmin } from "@/components/retention/erasure-admin.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listErasures } from "@/lib/server/retention/erasures.ts";
import { listPersonalFields } from "@/lib/server/retention/personal-fields.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { declareFieldAction, eraseAction, undeclareFieldAction } from "./actions.ts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Erasure · Ledgerline" };

export default async function ErasurePage() {
  const principal = await requirePagePermission("/admin/erasure", "retention:manage");
  const rt = await getRuntime();
  const [fields, erasures] = await Promise.all([listPersonalFields(rt, principal), listErasures(rt, principal)]);
  return (
    <main className="stack">
      <header>
        <h1>Personal fields and erasure</h1>
        <p className="muted">
          A field declared personal enters later leaves only as a salted commitment; its value and salt are kept beside
          the log. Erasing a data subject deletes those values under a receipt in the log: every leaf hash, proof and
          checkpoint stays valid. Every change here is recorded in the log.
        </p>
      </header>
      <ErasureAdmin
        fields={fields}
        erasures={erasures}
        actions={{ declare: declareFieldAction, undeclare: undeclareFieldAction, erase: eraseAction }}
      />
    </main>
  );
}
