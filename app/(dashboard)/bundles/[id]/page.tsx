import { notFound } from "next/navigation";
import { BundleDetail } from "@/components/bundles/bundle-detail.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { getBundle } from "@/lib/server/bundles/service.ts";
import { AppError } from "@/lib/server/errors.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

export default async function BundlePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const principal = await requirePagePermission(`/bundles/${encodeURIComponent(id)}`, "bundles:read");
  const ledger = await getRuntime();
  const bundle = await getBundle(ledger, principal, id).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  });
  const key = await ledger.signingKey().catch(() => null);
  return (
    <main>
      <BundleDetail initial={bundle} verifierKey={key?.verifierKey ?? null} />
    </main>
  );
}
