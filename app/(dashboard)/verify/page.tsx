import { VerifyBundleView } from "@/components/bundles/verify-bundle-view.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

// Every signed-in role may check a bundle: it reads nothing from the log.
export default async function VerifyPage() {
  await pagePrincipal("/verify");
  const key = await (await getRuntime()).signingKey().catch(() => null);
  return (
    <main>
      <VerifyBundleView currentKey={key?.verifierKey ?? null} />
    </main>
  );
}
