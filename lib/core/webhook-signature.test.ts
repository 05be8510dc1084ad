import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateSigningKey } from "./note.ts";
import { signWebhookBody, verifyWebhookBody } from "./webhook-signature.ts";

describe("webhook signatures (Ed25519 over the exact body)", () => {
  const key = generateSigningKey("monitor.example", new Uint8Array(32).fill(3));
  const body = JSON.stringify({ type: "ledgerline.monitor.alert", kind: "fork", reason: "é" });

  it("equals what Node's crypto (the server's integrity alerts until now) produces, byte for byte", () => {
    const priv = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(key.seed)]),
      format: "der",
      type: "pkcs8",
    });
    expect(signWebhookBody(body, key.seed)).toBe(crypto.sign(null, Buffer.from(body, "utf8"), priv).toString("base64"));
  });

  it("verifies only the exact body with the right key", () => {
    const sig = signWebhookBody(body, key.seed);
    expect(verifyWebhookBody(body, sig, key.publicKey)).toBe(true);
    expect(verifyWebhookBody(body + " ", sig, key.publicKey)).toBe(false);
    expect(verifyWebhookBody(body, sig, generateSigningKey("x", new Uint8Array(32).fill(4)).publicKey)).toBe(false);
    expect(verifyWebhookBody(body, "not base64!", key.publicKey)).toBe(false);
    expect(() => signWebhookBody(body, new Uint8Array(31))).toThrow();
  });
});
