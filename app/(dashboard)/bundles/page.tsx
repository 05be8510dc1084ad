import { BundlesList } from "@/components/bundles/bundles-list.tsx";
import { NewBundleForm } from "@/components/bundles/new-bundle-form.tsx";
import { Card } from "@/components/ui/card.tsx";
import { can } from "@/lib/server/auth/permissions.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { listBundles } from "@/lib/server/bundles/service.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

export default async function BundlesPage() {
  const principal = await requirePagePermission("/bundles", "bundles:read");
  const bundles = await listBundles(await getRuntime(), principal);
  return (
    <main className="stack">
      <div className="page-head">
        <h1 className="page-title">Evidence bundles</h1>
        <span className="muted">Signed ZIPs of a selection of the log, checkable offline by anyone.</span>
      </div>
      {can(principal.role, "bundles:create") && (
        <Card title="New evidence bundle" testId="new-bundle">
          <NewBundleForm />
        </Card>
      )}
      <Card title="Evidence bundles" testId="bundles">
        <BundlesList initial={bundles} />
      </Card>
    </main>
  );
}
