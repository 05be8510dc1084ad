import { describe, expect, it } from "vitest";
import { toBase64, toHex, utf8 } from "./bytes.ts";
import { sha256 } from "./hash.ts";
import { formatCheckpoint, generateSigningKey, keyId, openNote, parseCheckpoint, signNote } from "./note.ts";

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
