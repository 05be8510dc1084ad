import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { peter } from "@/test/support/note-vectors.ts";
import { fromBase64, toBase64, toHex, utf8 } from "./bytes.ts";
import { sha256 } from "./hash.ts";
import { generateSigningKey, keyFingerprint, pemToPublicKey, publicKeyToPem, signNote } from "./note.ts";

describe("SPKI PEM and fingerprints", () => {
  const key = generateSigningKey("pem-test", sha256(utf8("pem seed")));

  it("writes a PEM that node:crypto (OpenSSL) reads as the same Ed25519 key", () => {
    const pem = publicKeyToPem(key.publicKey);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=\n-----END PUBLIC KEY-----\n$/);
    const nodeKey = createPublicKey(pem);
    expect(nodeKey.asymmetricKeyType).toBe("ed25519");
    const der = nodeKey.export({ type: "spki", format: "der" });
    expect(toHex(der)).toBe(`302a300506032b6570032100${toHex(key.publicKey)}`);
    // A note signature made here verifies with OpenSSL's Ed25519 over the note text.
    const note = signNote("hello\n", [key]);
    const sig = fromBase64(note.split(" ").pop()!.trimEnd()).subarray(4);
    expect(nodeVerify(null, utf8("hello\n"), nodeKey, sig)).toBe(true);
  });

  it("reads a PEM that node:crypto wrote, and round-trips its own", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const raw = pemToPublicKey(pem);
    expect(toBase64(raw).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")).toBe(
      publicKey.export({ format: "jwk" }).x,
    );
    expect(toHex(pemToPublicKey(publicKeyToPem(key.publicKey)))).toBe(toHex(key.publicKey));
    expect(toHex(pemToPublicKey(`\r\n${publicKeyToPem(key.publicKey).replaceAll("\n", "\r\n")}  `))).toBe(
      toHex(key.publicKey),
    );
  });

  it.each([
    ["not a PEM", "hello"],
    ["a private key label", publicKeyToPem(new Uint8Array(32)).replaceAll("PUBLIC KEY", "PRIVATE KEY")],
    ["bad base64", publicKeyToPem(new Uint8Array(32)).replace("MCow", "MC*w")],
    ["an empty body line", publicKeyToPem(new Uint8Array(32)).replace("\nMCow", "\n\nMCow")],
    [
      "a truncated key",
      `-----BEGIN PUBLIC KEY-----\n${toBase64(fromBase64("MCowBQYDK2VwAyEA").slice(0, 12))}\n-----END PUBLIC KEY-----\n`,
    ],
    [
      "an RSA key",
      generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString(),
    ],
    ["two blocks", publicKeyToPem(new Uint8Array(32)).repeat(2)],
  ])("pemToPublicKey rejects %s", (_what, pem) => {
    expect(() => pemToPublicKey(pem)).toThrow(/PEM/);
  });

  it("fingerprints the SPKI DER as SHA256: with colon-separated hex groups", () => {
    const fp = keyFingerprint(key.publicKey);
    expect(fp).toMatch(/^SHA256:[0-9a-f]{4}(:[0-9a-f]{4}){15}$/);
    const der = createPublicKey(publicKeyToPem(key.publicKey)).export({ type: "spki", format: "der" });
    expect(fp.slice("SHA256:".length).replaceAll(":", "")).toBe(toHex(sha256(new Uint8Array(der))));
    expect(keyFingerprint(peter.publicKey)).not.toBe(fp);
  });
});
