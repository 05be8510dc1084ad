import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBase64, toBase64, utf8 } from "./bytes.ts";

// How Ledgerline signs the JSON alerts it POSTs to webhooks — the server's integrity alerts
// (signed by the log's key) and the standalone monitor's (signed by the monitor's own key,
// since it must not hold the log's): Ed25519 (RFC 8032) over the exact body bytes, sent as
// base64 in `x-ledgerline-signature`, with the signer's 8-hex key id in `x-ledgerline-key-id`.
// A receiver verifies both kinds with the same code and a table of trusted keys by id.

export const WEBHOOK_SIGNATURE_HEADER = "x-ledgerline-signature";
export const WEBHOOK_KEY_ID_HEADER = "x-ledgerline-key-id";

/** base64 Ed25519 signature of the UTF-8 body by the 32-byte seed. Deterministic. */
export function signWebhookBody(body: string, seed: Uint8Array): string {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("webhook signing seed must be 32 bytes");
  return toBase64(ed25519.sign(utf8(body), seed));
}

/** True iff `signatureB64` is a valid (strict RFC 8032) signature of `body` by `publicKey`. Never throws. */
export function verifyWebhookBody(body: string, signatureB64: string, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(fromBase64(signatureB64), utf8(body), publicKey, { zip215: false });
  } catch {
    return false;
  }
}
