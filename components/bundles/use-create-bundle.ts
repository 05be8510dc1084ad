import { useRouter } from "next/navigation";
import { useState } from "react";
import { createBundleRequest, type BundlePreviewView } from "./bundle-request.ts";

// The one "create the previewed bundle" step of every bundle control (the explorer's and
// trace's export button, the /bundles form): create exactly the previewed filter with the
// fields chosen to withhold, then open the bundle's page — or say why not.

export function useCreateBundle() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(p: BundlePreviewView, withhold: string[]) {
    setBusy(true);
    setError(null);
    const r = await createBundleRequest(p.filter, withhold);
    if (r.ok) {
      router.push(`/bundles/${encodeURIComponent(r.value.id)}`);
      return; // stays busy until the bundle's page replaces this one
    }
    setBusy(false);
    setError(r.error);
  }

  /** The props of the preview that confirms `preview` (BundlePreview): create it, or cancel. */
  function confirming(preview: BundlePreviewView, onCancel: () => void) {
    return { preview, busy, onConfirm: (withhold: string[]) => create(preview, withhold), onCancel };
  }

  return { busy, setBusy, error, setError, confirming };
}
