import "server-only";
import crypto from "node:crypto";
import { WEBHOOK_KEY_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhookBody } from "@/lib/core/webhook-signature.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { SigningKey } from "../ledger/signing.ts";
import type { IntegrityResult } from "./types.ts";

// A failed verification is reported three ways: the server log, a signed JSON
// POST to LEDGERLINE_ALERT_WEBHOOK, and an entry appended to the ledger itself
// (when it still accepts appends). Each failure alerts once; none of these
// ever throws into the verifier.

export const VERIFIER_ACTOR = { id: "ledgerline-verifier", source: "ledgerline:verifier" };
export const INTEGRITY_TARGET = "ledgerline://integrity";
export const ALERT_TIMEOUT_MS = 5000;

export type Alert = {
  type: "ledgerline.integrity.failed";
  origin: string;
  kind: string;
  firstBadSeq: number | null;
  reason: string;
  treeSize: number;
  detectedAt: string;
  runId: string;
};

/** The failure's identity for "alert once": the same kind at the same seq for the same reason. */
export function alertKey(r: Pick<IntegrityResult, "kind" | "firstBadSeq" | "reason">): string {
  return crypto.createHash("sha256").update(`${r.kind}\n${r.firstBadSeq}\n${r.reason}`).digest("hex").slice(0, 32);
}

/**
 * Ed25519 over the exact body bytes, by the log's signing key (base64) — the scheme of
 * lib/core/webhook-signature.ts, which the standalone monitor's alerts use too.
 */
export function signAlertBody(body: string, key: Pick<SigningKey, "seed">): string {
  return signWebhookBody(body, key.seed);
}

export async function postAlert(
  url: string,
  body: string,
  key: Pick<SigningKey, "seed" | "keyIdHex">,
): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [WEBHOOK_KEY_ID_HEADER]: key.keyIdHex,
        [WEBHOOK_SIGNATURE_HEADER]: signAlertBody(body, key),
      },
      body,
      signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
    });
    if (!res.ok) {
      console.error(`[ledgerline] integrity alert webhook answered ${res.status}`);
      return false;
    }
    return true;
  } catch (e) {
    console.error(`[ledgerline] integrity alert webhook failed: ${(e as Error).message}`);
    return false;
  }
}

/** Sends every alert channel for one failure. Never throws. */
export async function raiseAlert(ledger: Ledger, r: IntegrityResult): Promise<void> {
  console.error(
    `[ledgerline] INTEGRITY FAILURE kind=${r.kind} seq=${r.firstBadSeq ?? "-"} run=${r.runId}: ${r.reason}`,
  );
  const alert: Alert = {
    type: "ledgerline.integrity.failed",
    origin: ledger.config.origin,
    kind: r.kind ?? "other",
    firstBadSeq: r.firstBadSeq,
    reason: r.reason ?? "",
    treeSize: r.treeSize,
    detectedAt: new Date().toISOString(),
    runId: r.runId,
  };
  if (ledger.config.alertWebhook) {
    try {
      const key = await ledger.signingKey();
      await postAlert(ledger.config.alertWebhook, JSON.stringify(alert), key);
    } catch (e) {
      console.error(`[ledgerline] integrity alert not sent: ${(e as Error).message}`);
    }
  }
  try {
    await recordAudit(ledger, VERIFIER_ACTOR, {
      action: "integrity.failed",
      eventType: "execute",
      outcome: "failure",
      target: { id: INTEGRITY_TARGET, type: "integrity" },
      reason: r.reason ?? undefined,
      attributes: { kind: alert.kind, firstBadSeq: r.firstBadSeq, treeSize: r.treeSize, runId: r.runId, mode: r.mode },
    });
  } catch (e) {
    console.error(`[ledgerline] integrity failure could not be appended to the log: ${(e as Error).message}`);
  }
}

/** The cosigner's records in the log: witness forks, rollbacks, refusals and silences. */
export const COSIGNER_ACTOR = { id: "ledgerline-cosigner", source: "ledgerline:cosigner", type: "service" as const };

/** What a witness's answers (or silence) showed; see lib/server/cosigning/cosigner.ts. */
export type WitnessAlert = {
  type: "ledgerline.witness.alert";
  origin: string;
  /** The witness's policy name and its cosigner vkey. */
  witness: string;
  vkey: string;
  /** fork: the witness holds a tree our checkpoint is not consistent with; rollback: it cosigned a larger tree than our latest checkpoint; refused: it does not accept our key or origin; silent: no cosignature for longer than LEDGERLINE_WITNESS_ALERT_AFTER. */
  kind: "fork" | "rollback" | "refused" | "silent";
  detail: string;
  /** Our latest checkpoint's size, and the size the witness reported (null when it did not say). */
  treeSize: number;
  witnessSize: number | null;
  detectedAt: string;
};

/** Server log, signed webhook, and an entry in the ledger itself — the same three channels as an integrity failure. Never throws. */
export async function raiseWitnessAlert(ledger: Ledger, a: WitnessAlert): Promise<void> {
  console.error(`[ledgerline] WITNESS ALERT kind=${a.kind} witness=${a.witness} size=${a.treeSize}: ${a.detail}`);
  if (ledger.config.alertWebhook) {
    try {
      await postAlert(ledger.config.alertWebhook, JSON.stringify(a), await ledger.signingKey());
    } catch (e) {
      console.error(`[ledgerline] witness alert not sent: ${(e as Error).message}`);
    }
  }
  try {
    await recordAudit(ledger, COSIGNER_ACTOR, {
      action: `witness.${a.kind}`,
      eventType: "execute",
      outcome: "failure",
      target: { id: `ledgerline://witnesses/${a.witness}`, type: "witness" },
      reason: a.detail,
      attributes: { kind: a.kind, vkey: a.vkey, treeSize: a.treeSize, witnessSize: a.witnessSize },
    });
  } catch (e) {
    console.error(`[ledgerline] witness alert could not be appended to the log: ${(e as Error).message}`);
  }
}
