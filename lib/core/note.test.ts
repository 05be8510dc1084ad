import { describe, expect, it } from "vitest";
import {
  TEXT,
  PETER_SIG,
  ENOCH_SIG,
  SIGNED,
  peter,
  enoch,
  peterSigner,
  goSplice,
} from "@/test/support/note-vectors.ts";
import { fromBase64, toBase64 } from "./bytes.ts";
import {
  appendSignatures,
  formatCheckpoint,
  generateSigningKey,
  openNote,
  parseCheckpoint,
  signNote,
  splitNote,
} from "./note.ts";

// Signing and opening notes: golang.org/x/mod sumdb/note vectors (the reference implementation of
// C2SP signed-note) and the C2SP examples.

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
});

describe("openNote (sumdb/note TestOpen): what it refuses", () => {
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
});

describe("openNote (sumdb/note TestOpen): keys, bytes and input it refuses", () => {
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
