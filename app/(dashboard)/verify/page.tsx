import { VerifyBundleView } from "@/components/bundles/verify-bundle-view.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { verifyContext } from "@/lib/server/bundles/verify-context.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

// Every signed-in role may check a bundle: it reads nothing from the log, only the public keys and witnesses.
export default async function VerifyPage() {
  await pagePrincipal("/verify");
  const deployment = await verifyContext(await getRuntime());
  return (
    <main>
      <VerifyBundleView deployment={deployment} />
    </main>
  );
}
