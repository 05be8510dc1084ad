import "server-only";
import { keyFingerprint, parseVerifierKey } from "@/lib/core/index.ts";
import { formatWitnessPolicy, quorumRule } from "@/lib/core/pins.ts";
import { selectLogKeys } from "../integrity/pinned-keys.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { allSigningKeys } from "../ledger/store/signing-keys.ts";

// What the /verify page knows about this deployment: its log keys (current and retired) and its
// witnesses, so the browser can say "signed by this deployment's current key", "retired key
// (rotated on …)", "witnessed by 2 of 3 (names)" — and show any other key in red. The keys are
// the integrity center's pinned selection (pinned-keys.ts): a row an insider INSERTed into
// signing_keys without a rotation statement is not one of them. Public information only.

export type DeploymentKey = {
  verifierKey: string;
  fingerprint: string;
  status: "current" | "retired";
  createdAt: string | null;
  retiredAt: string | null;
  why: string;
};

export type VerifyContext = {
  keys: DeploymentKey[];
  /** tlog-policy text of the witnesses and quorum (formatWitnessPolicy), the rule in words, and the names. */
  witnesses: { policy: string; rule: string; names: string[] } | null;
};

export async function verifyContext(ledger: Ledger): Promise<VerifyContext> {
  const running = await ledger.signingKey().catch(() => null);
  const rows = await allSigningKeys(ledger.db);
  const sel = await selectLogKeys(ledger.db, ledger.config.origin, ledger.config.logPins, running);
  const keys = sel.keys.map((k): DeploymentKey => {
    const row = rows.find((r) => r.verifier_key === k.verifierKey);
    const retiredAt = row?.retired_at ?? null;
    const current = running ? running.verifierKey === k.verifierKey : !retiredAt;
    return {
      verifierKey: k.verifierKey,
      fingerprint: keyFingerprint(parseVerifierKey(k.verifierKey).publicKey),
      status: current ? "current" : "retired",
      createdAt: row?.created_at ?? null,
      retiredAt,
      why: k.why,
    };
  });
  const w = ledger.config.witnesses;
  return {
    keys,
    witnesses: w?.policy.witnesses.length
      ? {
          policy: formatWitnessPolicy(w.policy),
          rule: quorumRule(w.policy),
          names: w.policy.witnesses.map((x) => x.label),
        }
      : null,
  };
}
