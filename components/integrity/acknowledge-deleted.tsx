"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

// An admin acknowledges deleted checkpoints with a reason: the failure ends, the
// checkpoints stay listed, and the acknowledgement is an entry in the log.
export function AcknowledgeDeleted({
  treeSizes,
  acknowledge,
}: {
  treeSizes: number[];
  acknowledge: (treeSizes: number[], reason: string) => Promise<{ ok: true } | { ok: false; error: string }>;
}) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="stack"
      data-testid="acknowledge-deleted"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        const r = await acknowledge(treeSizes, reason);
        setBusy(false);
        if (r.ok) router.refresh();
        else setError(r.error);
      }}
    >
      <label>
        Why is the deletion acceptable? (recorded in the log with your name)
        <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} />
      </label>
      <button type="submit" className="btn" disabled={busy || !reason.trim()}>
        {busy
          ? "Acknowledging…"
          : `Acknowledge ${treeSizes.length === 1 ? "the deletion" : `${treeSizes.length} deletions`}`}
      </button>
      {error && (
        <p className="bad" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
