import { describe, expect, it } from "vitest";
import { PETER_VKEY, PETER_SKEY, ENOCH_VKEY, peter, enoch, peterSigner } from "@/test/support/note-vectors.ts";
import { toHex } from "./bytes.ts";
import {
  generateSigningKey,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  signerKeyString,
  verifierKeyString,
} from "./note.ts";

// Key ids, verifier and signer key strings: golang.org/x/mod sumdb/note vectors (test/support/note-vectors.ts).

describe("signed-note keys (sumdb/note vectors)", () => {
  it("parses the verifier key and recomputes its id and string", () => {
    expect(peter.name).toBe("PeterNeumann");
    expect(toHex(peter.keyId)).toBe("c74f20a3");
    expect(toHex(keyId("PeterNeumann", peter.publicKey))).toBe("c74f20a3");
    expect(verifierKeyString("PeterNeumann", peter.publicKey)).toBe(PETER_VKEY);
    expect(verifierKeyString("EnochRoot", enoch.publicKey)).toBe(ENOCH_VKEY);
  });

  it("parses the signer key, derives the same public key, and re-encodes it", () => {
    expect(peterSigner.name).toBe("PeterNeumann");
    expect(toHex(peterSigner.keyId)).toBe("c74f20a3");
    expect(toHex(peterSigner.publicKey)).toBe(toHex(peter.publicKey));
    expect(signerKeyString("PeterNeumann", peterSigner.seed)).toBe(PETER_SKEY);
    const regenerated = generateSigningKey("PeterNeumann", peterSigner.seed);
    expect(toHex(regenerated.publicKey)).toBe(toHex(peter.publicKey));
  });

  // TestNewVerifier / TestNewSigner: every proper substring and every single-character
  // increment of a valid key string must be rejected.
  it.each([
    ["verifier", PETER_VKEY, parseVerifierKey],
    ["signer", PETER_SKEY, parseSignerKey],
  ] as const)("rejects every mangling of the %s key", (_kind, key, parse) => {
    const accepted: string[] = [];
    for (let i = 0; i <= key.length; i++) {
      for (let j = i + 1; j <= key.length; j++) {
        if (i === 0 && j === key.length) continue;
        const s = key.slice(i, j);
        try {
          parse(s);
          accepted.push(s);
        } catch {
          // expected
        }
      }
    }
    for (let i = 0; i < key.length; i++) {
      const s = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
      try {
        parse(s);
        accepted.push(s);
      } catch {
        // expected
      }
    }
    expect(accepted).toEqual([]);
  });

  it.each([
    ["PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", /33 bytes|base64/],
    ["PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /unsupported signature type/],
    ["Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /invalid key name/],
    ["PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /does not match/],
    ["PeterNeumann+c74f20a3", /look like/],
  ])("rejects %s", (key, message) => {
    expect(() => parseVerifierKey(key)).toThrow(message);
  });

  it("refuses invalid names and key sizes", () => {
    for (const name of ["", "a+b", "a b", "a\tb", "a\u00a0b", "a\u3000b", "a\nb"]) {
      expect(() => keyId(name, peter.publicKey)).toThrow(/invalid key name/);
      expect(() => generateSigningKey(name)).toThrow(/invalid key name/);
    }
    expect(() => keyId("x", new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => generateSigningKey("x", new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it("generates distinct random keys that round-trip through their strings", () => {
    const a = generateSigningKey("ledgerline.example.org/prod");
    const b = generateSigningKey("ledgerline.example.org/prod");
    expect(toHex(a.seed)).not.toBe(toHex(b.seed));
    const parsed = parseSignerKey(signerKeyString(a.name, a.seed));
    expect(toHex(parsed.seed)).toBe(toHex(a.seed));
    expect(toHex(parseVerifierKey(verifierKeyString(a.name, a.publicKey)).publicKey)).toBe(toHex(a.publicKey));
  });
});
