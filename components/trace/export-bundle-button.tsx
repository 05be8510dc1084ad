"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

// Hands the trace to an auditor: asks the bundle builder for a signed evidence
// bundle of every entry with this correlation id, then opens its page.

export function ExportBundleButton({ correlationId }: { correlationId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function exportBundle() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/bundles", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ filter: { correlationId } }),
      });
      const body = (await res.json().catch(() => null)) as { id?: string; detail?: string } | null;
      if (!res.ok || !body?.id) {
        setError(body?.detail ?? `The bundle could not be started (HTTP ${res.status}).`);
        setBusy(false);
        return;
      }
      router.push(`/bundles/${encodeURIComponent(body.id)}`);
    } catch {
      setError("The bundle could not be started: the server did not answer.");
      setBusy(false);
    }
  }

  return (
    <div className="export-bundle">
      <button type="button" className="btn primary" onClick={exportBundle} disabled={busy} data-testid="export-bundle">
        {busy ? "Starting export…" : "Export evidence bundle"}
      </button>
      {error && (
        <p className="bad small" data-testid="export-error">
          {error}
        </p>
      )}
    </div>
  );
}
