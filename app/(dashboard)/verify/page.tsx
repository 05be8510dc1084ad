import { VerifyBundleView } from "@/components/bundles/verify-bundle-view.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";

export const dynamic = "force-dynamic";

// Every signed-in role may check a bundle: it reads nothing from the log.
export default async function VerifyPage() {
  await pagePrincipal("/verify");
  const key = await (await getLedger()).signingKey().catch(() => null);
  return (
    <main>
      <VerifyBundleView currentKey={key?.verifierKey ?? null} />
    </main>
  );
}
