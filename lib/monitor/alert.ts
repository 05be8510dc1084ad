import { WEBHOOK_KEY_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhookBody } from "@/lib/core/webhook-signature.ts";
import type { Problem } from "./problems.ts";

// The monitor's alert: the fields of the server's integrity alert
// (lib/server/integrity/alerts.ts) and the same Ed25519 body signature, so one receiver
// handles both — but signed by the monitor's own key, never the log's.

export type Webhook = { url: string; seed: Uint8Array; keyId: string };

/** POSTs the alert; never throws (the problem is reported, and the exit code set, either way). */
export async function postMonitorAlert(
  webhook: Webhook,
  problem: Problem,
  about: { origin: string; url: string; seenSize: number | null },
): Promise<{ ok: true } | { ok: false; error: string }> {
  const body = JSON.stringify({
    type: "ledgerline.monitor.alert",
    origin: about.origin,
    kind: problem.kind,
    firstBadSeq: problem.firstBadSeq,
    reason: problem.reason,
    treeSize: about.seenSize,
    detectedAt: new Date().toISOString(),
    runId: crypto.randomUUID(),
    url: about.url,
  });
  try {
    const res = await fetch(webhook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [WEBHOOK_KEY_ID_HEADER]: webhook.keyId,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, webhook.seed),
      },
      body,
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
