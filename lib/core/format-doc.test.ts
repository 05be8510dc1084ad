import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, toHex, utf8 } from "./bytes.ts";
import { canonicalJson } from "./canonical-json.ts";
import { entryLeafHash } from "./hash.ts";
import { consistencyProof, inclusionProof, merkleRoot, verifyConsistency, verifyInclusion } from "./merkle.ts";
import {
  formatCheckpoint,
  generateSigningKey,
  keyFingerprint,
  keyId,
  openNote,
  parseVerifierKey,
  publicKeyToPem,
  signNote,
  signerKeyString,
  verifierKeyString,
} from "./note.ts";

// docs/format.md §7 publishes test vectors for independent verifiers. This test reads
// them from the page itself and recomputes each one, so the page cannot drift from the code.

const doc = fs.readFileSync(new URL("../../docs/format.md", import.meta.url), "utf8");
const vectors = new Map([...doc.matchAll(/^vector: (\S+) (.+)$/gm)].map((m) => [m[1]!, m[2]!] as const));
const v = (name: string): string => {
  const value = vectors.get(name);
  if (value === undefined) throw new Error(`docs/format.md has no "vector: ${name}" line`);
  return value;
};
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

describe("docs/format.md §7 test vectors", () => {
  const entries = ["entry1", "entry2", "entry3"].map((n) => JSON.parse(v(n)) as Record<string, unknown>);
  const leaves = entries.map((e) => entryLeafHash(e));

  it("each entry line is its own canonical form, and hashes to its leaf", () => {
    entries.forEach((e, i) => {
      expect(canonicalJson(e)).toBe(v(`entry${i + 1}`));
      expect(toHex(leaves[i]!)).toBe(v(`leaf${i + 1}`));
    });
    expect(utf8(v("entry1")).length).toBe(522);
  });

  it("roots and proofs", () => {
    expect(toBase64(merkleRoot(leaves.slice(0, 2)))).toBe(v("root2"));
    const root3 = fromBase64(v("root3"));
    expect(toBase64(merkleRoot(leaves))).toBe(v("root3"));
    const p1 = v("inclusion1of3").split(" ");
    expect(inclusionProof(0, leaves).map(toBase64)).toEqual(p1);
    expect(verifyInclusion(0, 3, leaves[0]!, p1.map(fromBase64), root3)).toBe(true);
    expect(inclusionProof(2, leaves).map(toBase64)).toEqual(v("inclusion3of3").split(" "));
    const c = v("consistency2to3").split(" ");
    expect(consistencyProof(2, leaves).map(toBase64)).toEqual(c);
    expect(verifyConsistency(2, 3, fromBase64(v("root2")), root3, c.map(fromBase64))).toBe(true);
  });

  it("the key, its strings and fingerprint, and the signed checkpoint", () => {
    const k = generateSigningKey(v("name"), hex(v("seed")));
    expect(toHex(k.publicKey)).toBe(v("publickey"));
    expect(toHex(keyId(k.name, k.publicKey))).toBe(v("keyid"));
    expect(verifierKeyString(k.name, k.publicKey)).toBe(v("verifierkey"));
    expect(parseVerifierKey(v("verifierkey")).publicKey).toEqual(k.publicKey);
    expect(signerKeyString(k.name, k.seed)).toBe(v("signerkey"));
    expect(keyFingerprint(k.publicKey)).toBe(v("fingerprint"));
    expect(publicKeyToPem(k.publicKey)).toContain(`\n${v("pem")}\n`);

    const note = signNote(formatCheckpoint({ origin: v("name"), size: 3, rootHash: merkleRoot(leaves) }), [k]);
    const sigLine = `— ${v("name")} ${v("signature")}\n`;
    expect(note.endsWith(`\n\n${sigLine}`)).toBe(true);
    expect(toHex(fromBase64(v("signature")).subarray(0, 4))).toBe(v("keyid"));
    // The checkpoint as printed in the page, byte for byte, opens with the published key.
    const printed = /\n```\n(example\.org\/ledgerline\n3\n[^\n]+\n\n— [^\n]+\n)```/.exec(doc)?.[1];
    expect(printed).toBe(note);
    expect(openNote(printed!, [{ name: k.name, publicKey: k.publicKey }]).ok).toBe(true);
  });
});
