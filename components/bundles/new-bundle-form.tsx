"use client";

import { useState } from "react";
import { BundlePreview } from "./bundle-preview.tsx";
import { previewBundleRequest, type BundlePreviewView } from "./bundle-request.ts";
import { useCreateBundle } from "./use-create-bundle.ts";
import "./bundles.css";

// Creates a bundle from an explorer link (or its query, or a trace link). The
// server resolves it exactly as the Events page does — range=24h becomes absolute
// from/to now, no time at all is the page's 7-day default — and the form shows
// that filter and its count before anything is created; the bundle is made of
// the filter shown, not of the text re-read later.
export function NewBundleForm() {
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<BundlePreviewView | null>(null);
  const { busy, setBusy, error, setError, confirming } = useCreateBundle();

  async function resolve(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setPreview(null);
    setBusy(true);
    const r = await previewBundleRequest({ explorer: text });
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else setError(r.error);
  }

  return (
    <form className="new-bundle" onSubmit={resolve}>
      <label>
        Selection: an Events link or its query (no time range means the explorer&apos;s last 7 days; range=all for
        everything)
        <input
          value={text}
          // A changed link clears the preview: it described the old text.
          onChange={(e) => {
            setText(e.target.value);
            setPreview(null);
          }}
          placeholder="https://…/events?range=24h&outcome=denied&service=payments"
          data-testid="new-bundle-filter"
        />
      </label>
      <button className="btn" type="submit" disabled={busy} data-testid="new-bundle-submit">
        {busy && !preview ? "Resolving…" : "Show selection"}
      </button>
      {preview && <BundlePreview {...confirming(preview, () => setPreview(null))} />}
      {error && (
        <p className="bad small" data-testid="new-bundle-error">
          {error}
        </p>
      )}
    </form>
  );
}
