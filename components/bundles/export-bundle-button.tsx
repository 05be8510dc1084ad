"use client";

import { useState } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { BundlePreview } from "./bundle-preview.tsx";
import { previewBundleRequest, type BundlePreviewView } from "./bundle-request.ts";
import { useCreateBundle } from "./use-create-bundle.ts";
import "./export-bundle.css";

// Exports exactly the filter on screen — the explorer's (its preset already
// resolved to absolute bounds when the page rendered, so the bundle is the table
// the user is looking at) or a trace's correlation id. A first click shows the
// resolved filter and its count; only the confirmation creates the bundle.

export function ExportBundleButton({ filter, small = false }: { filter: EventFilter; small?: boolean }) {
  const [shown, setShown] = useState<{ of: string; preview: BundlePreviewView } | null>(null);
  const { busy, setBusy, error, setError, confirming } = useCreateBundle();
  // A preview belongs to the filter it was made for: when the explorer moves on
  // (another filter, a preset re-resolved), an open preview is dropped, never reused.
  const key = JSON.stringify(filter);
  const preview = shown?.of === key ? shown.preview : null;
  const setPreview = (p: BundlePreviewView | null) => setShown(p && { of: key, preview: p });

  async function showPreview() {
    setBusy(true);
    setError(null);
    const r = await previewBundleRequest({ filter });
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else setError(r.error);
  }

  return (
    <span className="export-bundle">
      {preview === null ? (
        <button
          type="button"
          className={small ? "btn primary small" : "btn primary"}
          onClick={showPreview}
          disabled={busy}
          data-testid="export-bundle"
        >
          {busy ? "Counting…" : "Export evidence bundle"}
        </button>
      ) : (
        <BundlePreview {...confirming(preview, () => setPreview(null))} />
      )}
      {error && (
        <span className="bad export-error" data-testid="export-error">
          {error}
        </span>
      )}
    </span>
  );
}
