"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import "./export-bundle.css";

// Asks the server to build an evidence bundle for exactly the filter on screen —
// the explorer's (time preset already resolved to absolute bounds, so the bundle is
// fixed in time) or a trace's correlation id — then opens the bundle's page.

export function ExportBundleButton({ filter, small = false }: { filter: EventFilter; small?: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function exportBundle() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/v1/bundles", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ filter }),
      });
      const body = (await res.json().catch(() => null)) as { id?: string; detail?: string; title?: string } | null;
      if (!res.ok || !body?.id) {
        const why = body?.detail ?? body?.title ?? `HTTP ${res.status}`;
        setError(`The evidence bundle could not be started: ${why}`);
        return;
      }
      router.push(`/bundles/${encodeURIComponent(body.id)}`);
    } catch (e) {
      setError(`The evidence bundle could not be started: ${(e as Error).message || "network error"}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="export-bundle">
      <button
        type="button"
        className={small ? "btn primary small" : "btn primary"}
        onClick={exportBundle}
        disabled={busy}
        data-testid="export-bundle"
      >
        {busy ? "Starting export…" : "Export evidence bundle"}
      </button>
      {error && (
        <span className="bad export-error" data-testid="export-error">
          {error}
        </span>
      )}
    </span>
  );
}
