import { createPublicKey, generateKeyPairSync, verify as nodeVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, toHex, utf8 } from "./bytes.ts";
import { sha256 } from "./hash.ts";
import {
  formatCheckpoint,
  generateSigningKey,
  keyFingerprint,
  keyId,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  pemToPublicKey,
  publicKeyToPem,
  signNote,
  splitNote,
  appendSignatures,
  signerKeyString,
  verifierKeyString,
} from "./note.ts";

// Known answers from golang.org/x/mod sumdb/note (note.go package docs and note_test.go),
// the reference implementation of C2SP signed-note.
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
const SIGNED = `${TEXT}\n${PETER_SIG}`;

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);
const peterSigner = parseSignerKey(PETER_SKEY);

/** Go slices these strings by UTF-8 byte; the em dash is 3 bytes there, 1 code unit here. */
const goSplice = (line: string, goByteOffset: number, insert: string): string =>
  line.slice(0, goByteOffset - 2) + insert + line.slice(goByteOffset - 2);

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

describe("signNote (sumdb/note TestSign)", () => {
  it("reproduces the reference signature byte for byte", () => {
    expect(signNote(TEXT, [peterSigner])).toBe(SIGNED);
  });

  it("appends one line per signer in order", () => {
    const other = generateSigningKey("EnochRoot");
    const note = signNote(TEXT, [peterSigner, other]);
    expect(note.startsWith(SIGNED)).toBe(true);
    const opened = openNote(note, [peter, other]);
    expect(opened).toMatchObject({ ok: true, verified: [{ name: "PeterNeumann" }, { name: "EnochRoot" }] });
  });

  it.each<[string, string, Array<{ name: string; seed: Uint8Array }>, RegExp]>([
    ["text without final newline", "abc", [peterSigner], /end with a newline/],
    ["empty text", "", [peterSigner], /non-empty/],
    ["a control character", "a\rb\n", [peterSigner], /control character/],
    ["a lone surrogate", "a\ud800\n", [peterSigner], /lone surrogate/],
    ["a bad signer name", TEXT, [{ name: "a+b", seed: peterSigner.seed }], /invalid key name/],
    ["no signers", TEXT, [], /at least one signer/],
    ["a duplicate signer", TEXT, [peterSigner, peterSigner], /duplicate signer/],
  ])("refuses %s", (_what, text, signers, message) => {
    expect(() => signNote(text, signers)).toThrow(message);
  });
});

describe("openNote (sumdb/note TestOpen)", () => {
  it("opens the reference note", () => {
    expect(openNote(SIGNED, [peter])).toEqual({
      ok: true,
      text: TEXT,
      verified: [{ name: "PeterNeumann", keyId: "c74f20a3" }],
      unverified: [],
    });
  });

  it("verifies the known key and lists the unknown one", () => {
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter])).toEqual({
      ok: true,
      text: TEXT,
      verified: [{ name: "PeterNeumann", keyId: "c74f20a3" }],
      unverified: [{ name: "EnochRoot", keyId: "af0cfe78" }],
    });
  });

  it("verifies both when both keys are known", () => {
    expect(openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch])).toEqual({
      ok: true,
      text: TEXT,
      verified: [
        { name: "PeterNeumann", keyId: "c74f20a3" },
        { name: "EnochRoot", keyId: "af0cfe78" },
      ],
      unverified: [],
    });
  });

  it("rejects a note with no signature from a known key", () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
    expect(opened.ok).toBe(false);
    expect(opened.ok === false && opened.reason).toMatch(/no verifiable signatures/);
  });

  it("rejects more than 100 signature lines", () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter]);
    expect(opened.ok === false && opened.reason).toMatch(/more than 100/);
  });

  it("rejects the whole note when a known key's signature does not verify", () => {
    const opened = openNote(`${TEXT}\n${goSplice(PETER_SIG, 60, "ABCD")}`, [peter]);
    expect(opened).toEqual({
      ok: false,
      reason: expect.stringMatching(/^invalid signature for key PeterNeumann\+c74f20a3/),
    });
    // …even when another trusted key's signature is fine.
    const mixed = openNote(`${TEXT}\n${PETER_SIG}${goSplice(ENOCH_SIG, 60, "ABCD")}`, [peter, enoch]);
    expect(mixed.ok === false && mixed.reason).toMatch(/invalid signature for key EnochRoot\+af0cfe78/);
  });

  it("drops repeated lines, keeping distinct unverified signatures", () => {
    const enochAbcd = goSplice(ENOCH_SIG, 60, "ABCD");
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochAbcd}`, [peter]);
    expect(opened).toEqual({
      ok: true,
      text: TEXT,
      verified: [{ name: "PeterNeumann", keyId: "c74f20a3" }],
      unverified: [
        { name: "EnochRoot", keyId: "af0cfe78" },
        { name: "EnochRoot", keyId: "af0cfe78" },
      ],
    });
  });

  // Go's badMsgs; "\xff" (invalid UTF-8) has no JavaScript-string equivalent, so a lone
  // surrogate stands in for it.
  it.each([
    ["text only", TEXT, /no blank line/],
    ["text and blank line", `${TEXT}\n`, /signature block/],
    ["missing final newline", `${TEXT}\n${PETER_SIG.slice(0, -1)}`, /signature block/],
    ["control character", `\x01${TEXT}\n${PETER_SIG}`, /control character/],
    ["invalid Unicode", `\ud800${TEXT}\n${PETER_SIG}`, /lone surrogate/],
    [
      "name with space",
      `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      /signature block/,
    ],
    [
      "name with space, terminated",
      `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      /not valid base64/,
    ],
    ["unexpected line", `${TEXT}\n${PETER_SIG}Unexpected line.\n`, /does not start with/],
    ["CRLF line endings", SIGNED.replaceAll("\n", "\r\n"), /control character/],
    ["hyphen instead of em dash", `${TEXT}\n${PETER_SIG.replace("\u2014", "-")}`, /does not start with/],
    ["short signature", `${TEXT}\n\u2014 PeterNeumann x08g\n`, /too short/],
    ["signature of the wrong length", `${TEXT}\n\u2014 PeterNeumann x08go/Y=\n`, /invalid signature/],
  ])("rejects a malformed note: %s", (_what, note, reason) => {
    const opened = openNote(note, [peter]);
    expect(opened.ok).toBe(false);
    expect(opened.ok === false && opened.reason).toMatch(reason);
  });

  it("treats a known name with another key id as unknown (misnamed / other key)", () => {
    const misnamed = openNote(`${TEXT}\n${PETER_SIG.replace("PeterNeumann", "CarmenSandiego")}`, [peter]);
    expect(misnamed.ok === false && misnamed.reason).toMatch(/no verifiable signatures/);
    const otherKey = generateSigningKey("PeterNeumann");
    const opened = openNote(SIGNED, [{ name: "PeterNeumann", publicKey: otherKey.publicKey }]);
    expect(opened.ok === false && opened.reason).toMatch(/no verifiable signatures/);
  });

  it("fails on any change to the signed text", () => {
    const accepted: number[] = [];
    for (let i = 0; i < TEXT.length; i++) {
      if (TEXT[i] === "\n") continue;
      const tampered = TEXT.slice(0, i) + (TEXT[i] === "X" ? "Y" : "X") + TEXT.slice(i + 1);
      const opened = openNote(`${tampered}\n${PETER_SIG}`, [peter]);
      if (opened.ok || !/invalid signature/.test(opened.reason)) accepted.push(i);
    }
    expect(accepted).toEqual([]);
    expect(openNote(`${TEXT}extra line\n\n${PETER_SIG}`, [peter]).ok).toBe(false);
  });

  it("fails on any single-bit change to the signature", () => {
    const raw = fromBase64(PETER_SIG.slice("\u2014 PeterNeumann ".length, -1));
    const accepted: number[] = [];
    for (let bit = 32; bit < raw.length * 8; bit++) {
      const flipped = raw.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const opened = openNote(`${TEXT}\n\u2014 PeterNeumann ${toBase64(flipped)}\n`, [peter]);
      if (opened.ok || !/invalid signature/.test(opened.reason)) accepted.push(bit);
    }
    expect(accepted).toEqual([]);
  });

  it("never throws, whatever it is given", () => {
    const junk: unknown[][] = [
      [42, [peter]],
      [SIGNED, null],
      [SIGNED, [{ name: "PeterNeumann", publicKey: new Uint8Array(3) }]],
      [SIGNED, [{ name: "bad name", publicKey: peter.publicKey }]],
      [SIGNED, [null]],
      [undefined, undefined],
    ];
    for (const [note, verifiers] of junk) {
      const opened = openNote(note as string, verifiers as Array<{ name: string; publicKey: Uint8Array }>);
      expect(opened.ok).toBe(false);
    }
  });
});

// The examples in C2SP/C2SP signed-note.md and tlog-checkpoint.md. Their public keys are
// not published, so these check parsing, not signatures.
describe("C2SP examples", () => {
  const QUASIMODO_TEXT = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n";
  const QUASIMODO_NOTE = `${QUASIMODO_TEXT}\n\u2014 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n`;
  const CHECKPOINT_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  const CHECKPOINT_NOTE = `${CHECKPOINT_TEXT}\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n`;

  it("parses the signed-note example (text with a blank line) and ignores its unknown key", () => {
    const stranger = generateSigningKey("quasimodo.example/salvatore");
    const opened = openNote(QUASIMODO_NOTE, [stranger]);
    expect(opened.ok === false && opened.reason).toMatch(/no verifiable signatures.*1 signature line/);
    // The same text signed by a key we know opens to exactly that text: the last blank line
    // separates the signatures.
    const ours = signNote(QUASIMODO_TEXT, [stranger]);
    expect(openNote(ours, [stranger])).toMatchObject({ ok: true, text: QUASIMODO_TEXT });
  });

  it("parses the tlog-checkpoint example and formats it back identically", () => {
    const cp = parseCheckpoint(CHECKPOINT_TEXT);
    expect(cp.origin).toBe("example.com/behind-the-sofa");
    expect(cp.size).toBe(20852163);
    expect(toBase64(cp.rootHash)).toBe("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    expect(cp.extensions).toEqual([]);
    expect(formatCheckpoint(cp)).toBe(CHECKPOINT_TEXT);
    expect(openNote(CHECKPOINT_NOTE, [peter]).ok).toBe(false);
  });
});

describe("checkpoints (SPEC §3)", () => {
  const rootHash = sha256(utf8("root"));
  const log = generateSigningKey("ledgerline.example.org/prod", sha256(utf8("test seed")));

  it("round-trips through format, sign, open and parse", () => {
    const text = formatCheckpoint({ origin: "ledgerline.example.org/prod", size: 1000, rootHash });
    expect(text).toBe(`ledgerline.example.org/prod\n1000\n${toBase64(rootHash)}\n`);
    const note = signNote(text, [log]);
    expect(note).toMatch(
      /^ledgerline\.example\.org\/prod\n1000\n[A-Za-z0-9+/]{43}=\n\n\u2014 ledgerline\.example\.org\/prod [A-Za-z0-9+/]{91}=\n$/,
    );
    const opened = openNote(note, [log]);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.verified).toEqual([{ name: log.name, keyId: toHex(keyId(log.name, log.publicKey)) }]);
    const cp = parseCheckpoint(opened.text);
    expect(cp).toEqual({ origin: "ledgerline.example.org/prod", size: 1000, rootHash, extensions: [] });
  });

  it("keeps extension lines and the empty tree", () => {
    const text = formatCheckpoint({ origin: "o", size: 0, rootHash, extensions: ["ext one", "ext two"] });
    expect(parseCheckpoint(text)).toEqual({ origin: "o", size: 0, rootHash, extensions: ["ext one", "ext two"] });
  });

  it.each([
    ["no final newline", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", /end with a newline/],
    ["too few lines", "o\n1\n", /at least three lines/],
    ["empty origin", "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /origin line is empty/],
    ["leading zero", "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /leading zeros/],
    ["plus sign", "o\n+1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /leading zeros/],
    ["negative", "o\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /leading zeros/],
    ["decimal point", "o\n1.0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /leading zeros/],
    ["empty size", "o\n\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /leading zeros/],
    ["unsafe size", "o\n9007199254740993\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /too large/],
    ["short root", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", /32 bytes, got 31/],
    ["unpadded root", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", /not valid base64/],
    ["empty extension", "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", /extension lines must be non-empty/],
    ["carriage return", "o\r\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /control characters/],
  ])("parseCheckpoint rejects %s", (_what, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(message);
  });

  it("formatCheckpoint refuses what it could not parse back", () => {
    expect(() => formatCheckpoint({ origin: "", size: 1, rootHash })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: "a\nb", size: 1, rootHash })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: "o", size: -1, rootHash })).toThrow(/size/);
    expect(() => formatCheckpoint({ origin: "o", size: 1.5, rootHash })).toThrow(/size/);
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => formatCheckpoint({ origin: "o", size: 1, rootHash, extensions: [""] })).toThrow(/extension/);
  });
});

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

describe("splitNote / appendSignatures (cosignature lines kept intact)", () => {
  it("splits text and signature lines without verifying them, keeping each line verbatim", () => {
    const r = splitNote(`${SIGNED}${ENOCH_SIG}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe(TEXT);
    expect(r.signatures.map((s) => [s.name, s.keyId])).toEqual([
      ["PeterNeumann", "c74f20a3"],
      ["EnochRoot", "af0cfe78"],
    ]);
    expect(r.signatures[1]!.line).toBe(ENOCH_SIG.slice(0, -1));
    expect(r.signatures[0]!.signature).toHaveLength(64);
    expect(splitNote("no blank line\n").ok).toBe(false);
    expect(splitNote(`${TEXT}\n\u2014 bad name sig\n`).ok).toBe(false);
  });

  it("appends new signature lines once, after the existing ones, and refuses non-signature lines", () => {
    const withEnoch = appendSignatures(SIGNED, [ENOCH_SIG, ENOCH_SIG.slice(0, -1), PETER_SIG]);
    expect(withEnoch).toBe(`${SIGNED}${ENOCH_SIG}`);
    const opened = openNote(withEnoch, [peter, enoch]);
    expect(opened.ok && opened.verified.map((v) => v.name)).toEqual(["PeterNeumann", "EnochRoot"]);
    expect(() => appendSignatures(SIGNED, ["not a signature"])).toThrow(/not a signature line/);
    expect(() => appendSignatures(SIGNED, [`${ENOCH_SIG}${PETER_SIG}`])).toThrow(/not a signature line/);
    expect(() => appendSignatures("not a note", [ENOCH_SIG])).toThrow(/appendSignatures/);
  });
});
