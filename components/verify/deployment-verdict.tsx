"use client";

import { keyFingerprint, parseVerifierKey } from "@/lib/core/index.ts";
import type { BundleReport } from "@/lib/core/bundle/verify.ts";
import { parsePolicy, type Policy } from "@/lib/core/tlog/index.ts";
import type { DeploymentKey, VerifyContext } from "@/lib/server/bundles/verify-context.ts";

// Who signed and witnessed a bundle, in this deployment's terms: its current key, one of its
// retired keys (with when it was rotated), a key the user pinned, or — in red — a key that is
// none of these. The keys and witnesses come from the server (public information); the check
// itself ran in this browser (lib/core/bundle/verify.ts).

/** The deployment's witness policy, rebuilt in the browser from its tlog-policy text. */
export function deploymentPolicy(d: VerifyContext): Policy | null {
  if (!d.witnesses) return null;
  try {
    return parsePolicy(d.witnesses.policy);
  } catch {
    return null;
  }
}

function fingerprintOf(vkey: string): string | null {
  try {
    return keyFingerprint(parseVerifierKey(vkey.trim()).publicKey);
  } catch {
    return null;
  }
}

const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "an unknown date");

function KeyLine({ match, pinned }: { match: DeploymentKey | undefined; pinned: boolean }) {
  if (pinned)
    return (
      <p className="ok" data-testid="verify-key-origin" data-key-status="pinned">
        Signed by the key you pinned.
      </p>
    );
  if (!match) return null;
  return match.status === "current" ? (
    <p className="ok" data-testid="verify-key-origin" data-key-status="current">
      Signed by this deployment&apos;s current key.
    </p>
  ) : (
    <p className="warn-text" data-testid="verify-key-origin" data-key-status="retired">
      Signed by a retired key of this deployment (rotated on {day(match.retiredAt)}): valid for what it signed before
      then.
    </p>
  );
}

export function DeploymentVerdict({
  report,
  deployment,
  pinnedKey,
}: {
  report: BundleReport;
  deployment: VerifyContext;
  pinnedKey: string;
}) {
  const fp = report.key?.fingerprint ?? null;
  if (!fp) return null;
  const match = deployment.keys.find((k) => k.fingerprint === fp);
  const pinned = !!pinnedKey && (pinnedKey.includes("BEGIN") ? report.ok : fingerprintOf(pinnedKey) === fp);
  const w = deployment.witnesses;
  const cosigned = report.witnesses.cosigned;
  return (
    <div className="stack small" data-testid="verify-deployment">
      <KeyLine match={match} pinned={pinned} />
      {!match && !pinned && (
        <p className="bad" data-testid="verify-key-origin" data-key-status="unknown" role="alert">
          <strong className="break">Signed by key {fp}:</strong> not a key of this deployment: do not trust this bundle
          unless you pinned this key yourself.
        </p>
      )}
      {w && (
        <p
          className={cosigned.length && report.verdict !== "no-quorum" ? "ok" : "warn-text"}
          data-testid="verify-witnessed"
        >
          Witnessed by {cosigned.length} of {w.names.length}
          {cosigned.length ? ` (${cosigned.join(", ")})` : ""}; this deployment&apos;s quorum is {w.rule}.
        </p>
      )}
    </div>
  );
}
