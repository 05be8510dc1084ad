import "server-only";
import { shortKey } from "@/lib/core/index.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { rotateSigningKey, type RotationResult } from "../ledger/rotate.ts";

/**
 * Rotates the checkpoint signing key (docs/keys.md). The meta-audit record IS the rotation
 * statement's entry: its attributes carry the signed note, so the log itself — and every
 * checkpoint and witness cosignature over it — holds the proof that the old key named the
 * new one. Fails closed: no entry, no rotation.
 */
export async function rotateCheckpointKey(
  ledger: Ledger,
  principal: Principal,
  input: { newSignerKey?: string } = {},
): Promise<RotationResult> {
  assertCan(principal, "keys:manage");
  return rotateSigningKey(ledger, {
    newSignerKey: input.newSignerKey,
    logStatement: (statement, newKey) =>
      recordAudit(ledger, actorOf(principal), {
        action: "signing-key.rotate",
        eventType: "modify",
        outcome: "success",
        target: { id: shortKey(newKey), type: "signing-key" },
        reason: "checkpoint signing key rotated; the statement is signed by the old and the new key",
        attributes: { statement },
      }),
  });
}
