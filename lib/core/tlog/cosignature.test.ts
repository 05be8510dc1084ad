import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64, toHex, utf8 } from "../bytes.ts";
import { formatCheckpoint, generateSigningKey, parseVerifierKey, signNote } from "../note.ts";
import {
  checkCosignatures,
  cosignCheckpoint,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignerKeyId,
  cosignerSignerKey,
  cosignerVerifierKey,
  generateCosignerKey,
  parseCosignerSignerKey,
  parseCosignerVerifierKey,
} from "./cosignature.ts";

// Known answers from transparency-dev/formats note/note_cosigv1_test.go and the examples of
// c2sp.org/tlog-cosignature; signatures are also checked with Node's own Ed25519 (OpenSSL).

const CHECKPOINT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const SPEC_COSIG =
  "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";

function nodeVerifyEd25519(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(pub)]),
    format: "der",
    type: "spki",
  });
  return nodeVerify(null, msg, key, sig);
}

describe("cosigner keys (tlog-cosignature §Format)", () => {
  it("parses transparency-dev's native cosignature/v1 vkey and recomputes its 0x04 key id", () => {
    const k = parseCosignerVerifierKey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2");
    expect(k.name).toBe("remora.n621.de");
    expect(toHex(k.keyId)).toBe("da77ade7");
    expect(cosignerVerifierKey(k.name, k.publicKey)).toBe(
      "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
    );
  });

  it("refuses a log (0x01) key as a witness key, though the same key has another id as a cosigner", () => {
    const log = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
    const parsed = parseVerifierKey(log);
    expect(toHex(parsed.keyId)).toBe("7997405c");
    expect(() => parseCosignerVerifierKey(log)).toThrow(/log \(checkpoint\) key/);
    expect(toHex(cosignerKeyId("TEST", parsed.publicKey))).not.toBe("7997405c");
  });

  it("rejects malformed vkeys", () => {
    const good = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
    for (const bad of [
      "bananas.sigstore.dev+12344556",
      "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
      good.replace("da77ade7", "00000000"),
      good.replace("remora", "Remora"),
      good.slice(0, -1),
      "+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
    ]) {
      expect(() => parseCosignerVerifierKey(bad), bad).toThrow();
    }
  });

  it("round-trips signer keys in the transparency-dev/formats shape (PRIVATE+KEY+name+id+0x04‖seed)", () => {
    const seed = new Uint8Array(32).map((_, i) => i);
    const skey = cosignerSignerKey("witness.example/w1", seed);
    expect(skey).toMatch(/^PRIVATE\+KEY\+witness\.example\/w1\+[0-9a-f]{8}\+BA/);
    const parsed = parseCosignerSignerKey(skey);
    expect(toHex(parsed.seed)).toBe(toHex(seed));
    expect(cosignerVerifierKey(parsed.name, parsed.publicKey)).toBe(
      cosignerVerifierKey("witness.example/w1", generateCosignerKey("witness.example/w1", seed).publicKey),
    );
    expect(() => parseCosignerSignerKey(skey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/key id/);
  });
});

describe("cosignature/v1 signatures", () => {
  it("reads the timestamps of transparency-dev's and the spec's examples", () => {
    expect(cosignatureTimestamp(fromBase64(SPEC_COSIG).slice(4))).toBe(1679315147); // "time 1679315147"
    const formats =
      "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==";
    expect(cosignatureTimestamp(fromBase64(formats).slice(4))).toBe(1727964367);
    // A plain Ed25519 note signature (no timestamp) is not a cosignature.
    const plain = "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=";
    expect(cosignatureTimestamp(fromBase64(plain).slice(4))).toBeUndefined();
    const huge = new Uint8Array(72).fill(0xff);
    expect(cosignatureTimestamp(huge)).toBeUndefined();
  });

  it("signs exactly the spec's message: header line, time line, the checkpoint body", () => {
    expect(new TextDecoder().decode(cosignatureMessage(CHECKPOINT, 1679315147))).toBe(
      `cosignature/v1\ntime 1679315147\n${CHECKPOINT}`,
    );
    const w = generateCosignerKey("witness.example.com/w1", new Uint8Array(32).fill(9));
    const line = cosignCheckpoint(CHECKPOINT, w, 1679315147);
    const m = /^\u2014 witness\.example\.com\/w1 (\S+)\n$/.exec(line);
    expect(m).not.toBeNull();
    const raw = fromBase64(m![1]!);
    expect(raw).toHaveLength(4 + 8 + 64);
    expect(toHex(raw.subarray(0, 4))).toBe(toHex(cosignerKeyId(w.name, w.publicKey)));
    expect(toHex(raw.subarray(4, 12))).toBe("00000000641850cb");
    // OpenSSL agrees, over the message built by hand from the spec.
    const msg = utf8(`cosignature/v1\ntime 1679315147\n${CHECKPOINT}`);
    expect(nodeVerifyEd25519(w.publicKey, msg, raw.subarray(12))).toBe(true);
    expect(
      nodeVerifyEd25519(w.publicKey, utf8(`cosignature/v1\ntime 1679315148\n${CHECKPOINT}`), raw.subarray(12)),
    ).toBe(false);
    expect(() => cosignatureMessage("one line\n", 1)).toThrow();
    expect(() => cosignatureMessage(CHECKPOINT, -1)).toThrow();
  });

  it("checks a quorum's cosignatures on a signed checkpoint and ignores unknown lines", () => {
    const log = generateSigningKey("example.com/behind-the-sofa", new Uint8Array(32).fill(1));
    const w1 = generateCosignerKey("w1.example", new Uint8Array(32).fill(2));
    const w2 = generateCosignerKey("w2.example", new Uint8Array(32).fill(3));
    const stranger = generateCosignerKey("w3.example", new Uint8Array(32).fill(4));
    const text = formatCheckpoint({ origin: log.name, size: 5, rootHash: new Uint8Array(32).fill(7) });
    const note =
      signNote(text, [log]) +
      cosignCheckpoint(text, w1, 1700000000) +
      cosignCheckpoint(text, stranger, 1700000001) +
      cosignCheckpoint(text, w1, 1700000100);
    const r = checkCosignatures(note, [w1, w2]);
    expect(r.valid).toEqual([
      { name: "w1.example", keyId: toHex(cosignerKeyId(w1.name, w1.publicKey)), timestamp: 1700000100 },
    ]);
    expect(r.invalid).toEqual([]);
    // A log key presented as a cosigner never matches (different key id), even with the same key bytes.
    expect(checkCosignatures(note, [{ name: log.name, publicKey: log.publicKey }]).valid).toEqual([]);
  });

  it("refuses altered text, altered extension lines, swapped timestamps and future dates", () => {
    const w = generateCosignerKey("w.example", new Uint8Array(32).fill(5));
    const log = generateSigningKey("log.example", new Uint8Array(32).fill(6));
    const text = formatCheckpoint({
      origin: "log.example",
      size: 9,
      rootHash: new Uint8Array(32),
      extensions: ["ext"],
    });
    const line = cosignCheckpoint(text, w, 1000);
    const note = signNote(text, [log]) + line;
    expect(checkCosignatures(note, [w]).valid).toHaveLength(1);
    const alteredExt = note.replace("ext\n", "exu\n");
    expect(checkCosignatures(alteredExt, [w]).valid).toHaveLength(0);
    expect(checkCosignatures(alteredExt, [w]).invalid[0]!.reason).toMatch(/does not verify/);
    // Re-dating the signature (same Ed25519 bytes, other timestamp) breaks it.
    const raw = fromBase64(line.trim().split(" ")[2]!);
    raw[11] = raw[11]! ^ 1;
    const redated = signNote(text, [log]) + `\u2014 w.example ${Buffer.from(raw).toString("base64")}\n`;
    expect(checkCosignatures(redated, [w]).valid).toHaveLength(0);
    expect(checkCosignatures(note, [w], { now: 900, maxFutureSeconds: 60 }).invalid[0]!.reason).toMatch(/future/);
    expect(checkCosignatures("not a note", [w]).invalid[0]!.reason).toMatch(/malformed/);
  });
});
