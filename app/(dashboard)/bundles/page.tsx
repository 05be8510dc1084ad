import { BundlesList } from "@/components/bundles/bundles-list.tsx";
import { NewBundleForm } from "@/components/bundles/new-bundle-form.tsx";
import { Forbidden } from "@/components/layout/forbidden.tsx";
import { Card } from "@/components/ui/card.tsx";
import { can } from "@/lib/server/auth/permissions.ts";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { listBundles } from "@/lib/server/bundles/service.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

export default async function BundlesPage() {
  const { principal, allowed } = await pagePrincipal("/bundles", "bundles:read");
  if (!allowed) return <Forbidden what="viewing or downloading evidence bundles" />;
  const bundles = await listBundles(await getRuntime(), principal);
  return (
    <main className="stack">
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
