"use client";

import { useState } from "react";
import { verifyEntry, type InclusionProofBody, type KeysBody, type VerifyOutcome } from "./verify-entry.ts";

// "Verify" on the detail page: fetch the proof and the published keys, then check
// everything in this browser with the same core code the offline verifier uses.

type Props = {
  seq: number;
  canonicalJson: string;
  leafHash: string;
  checkpoint: { treeSize: number; note: string } | null;
};

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => null)) as (T & { detail?: string }) | null;
  if (!res.ok || body === null)
    throw new Error(`${url.split("?")[0]} answered ${res.status}${body?.detail ? `: ${body.detail}` : ""}`);
  return body;
}

export function VerifyPanel({ seq, canonicalJson, leafHash, checkpoint }: Props) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!checkpoint) {
    return (
      <div data-testid="verify-pending">
        <p>
          <strong>No signed checkpoint covers this entry yet.</strong>
        </p>
        <p className="muted">
          Ledgerline signs a checkpoint every 1,000 entries or every 60 seconds, whichever comes first. Reload this page
          in a minute to verify the entry against it.
        </p>
      </div>
    );
  }

  async function run() {
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      const [proof, keys] = await Promise.all([
        getJson<InclusionProofBody>(`/api/v1/proofs/inclusion?seq=${seq}&treeSize=${checkpoint!.treeSize}`),
        getJson<KeysBody>("/api/v1/keys"),
      ]);
      setOutcome(
        verifyEntry({
          seq,
          canonicalJson,
          storedLeafHash: leafHash,
          note: checkpoint!.note,
          treeSize: checkpoint!.treeSize,
          proof,
          keys,
        }),
      );
    } catch (e) {
      setError(`Could not fetch the proof material: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <p className="muted">
        Fetches the inclusion proof for tree size {checkpoint.treeSize.toLocaleString("en-US")} and the published keys,
        then recomputes the leaf hash, walks the proof to the root and checks the checkpoint&apos;s Ed25519 signature —
        here, in your browser.
      </p>
      <div>
        <button type="button" className="btn primary" onClick={run} disabled={busy} data-testid="verify-button">
          {busy ? "Verifying…" : outcome ? "Verify again" : "Verify"}
        </button>
      </div>
      {error && (
        <p className="bad" data-testid="verify-result">
          Not verified: {error}
        </p>
      )}
      {outcome && <VerifyOutcomeView outcome={outcome} seq={seq} treeSize={checkpoint.treeSize} />}
    </div>
  );
}

/** Each step with its verdict, then the conclusion. */
function VerifyOutcomeView({ outcome, seq, treeSize }: { outcome: VerifyOutcome; seq: number; treeSize: number }) {
  return (
    <>
      <ol className="verify-steps" data-testid="verify-steps">
        {outcome.steps.map((s) => (
          <li key={s.name}>
            <span className={s.ok ? "ok" : "bad"} aria-label={s.ok ? "passed" : "failed"}>
              {s.ok ? "✓" : "✗"}
            </span>
            <span>
              <strong>{s.name}</strong> — <span className="wrap">{s.detail}</span>
            </span>
          </li>
        ))}
      </ol>
      <p className={`verify-result ${outcome.ok ? "ok" : "bad"}`} data-testid="verify-result">
        {outcome.ok
          ? `Verified: entry ${seq} is in the log signed at tree size ${treeSize.toLocaleString("en-US")}.`
          : "Not verified: see the failed step above. This entry does not match the signed log."}
      </p>
    </>
  );
}
