import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "@/lib/core/bytes.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { hashLeaf } from "@/lib/core/hash.ts";
import { inclusionProof, merkleRoot } from "@/lib/core/merkle.ts";
import { formatCheckpoint, generateSigningKey, signNote, verifierKeyString } from "@/lib/core/note.ts";
import { verifyEntry, type VerifyInput } from "./verify-entry.ts";

// A real log of 7 entries, a real signed checkpoint, and the check the browser
// runs; then every way the served material can be wrong.

const ORIGIN = "ledgerline.test/log";
const entries = Array.from({ length: 7 }, (_, i) =>
  canonicalJson({
    id: `e${i + 1}`,
    seq: i + 1,
    timestamp: "2026-11-27T13:00:00.000Z",
    eventType: "read",
    outcome: i % 2 ? "denied" : "success",
    requester: { id: "svc", type: "service" },
    target: { id: "db" },
  }),
);
const leaves = entries.map((e) => hashLeaf(utf8(e)));
const key = generateSigningKey("ledgerline.test", new Uint8Array(32).fill(7));
const other = generateSigningKey("ledgerline.test", new Uint8Array(32).fill(9));
const note = signNote(formatCheckpoint({ origin: ORIGIN, size: 7, rootHash: merkleRoot(leaves) }), [key]);

function input(seq: number, over: Partial<VerifyInput> = {}): VerifyInput {
  return {
    seq,
    canonicalJson: entries[seq - 1]!,
    storedLeafHash: toBase64(leaves[seq - 1]!),
    note,
    treeSize: 7,
    proof: { leafIndex: seq - 1, treeSize: 7, path: inclusionProof(seq - 1, leaves).map(toBase64) },
    keys: { origin: ORIGIN, keys: [{ verifierKey: verifierKeyString(key.name, key.publicKey) }] },
    ...over,
  };
}

describe("verifyEntry", () => {
  it("verifies every entry of the tree, step by step", () => {
    for (let seq = 1; seq <= 7; seq++) {
      const r = verifyEntry(input(seq));
      expect(r.ok, JSON.stringify(r.steps)).toBe(true);
      expect(r.steps.map((s) => s.name)).toEqual([
        "Canonical JSON",
        "Leaf hash",
        "Checkpoint signature",
        "Checkpoint",
        "Inclusion proof",
      ]);
    }
  });

  it("fails the leaf hash when the entry's bytes were altered", () => {
    const tampered = entries[2]!.replace('"svc"', '"svc-evil"');
    expect(tampered).not.toBe(entries[2]);
    const r = verifyEntry(input(3, { canonicalJson: tampered }));
    expect(r.ok).toBe(false);
    expect(r.steps.find((s) => s.name === "Leaf hash")!.ok).toBe(false);
  });

  it("fails the inclusion proof when the stored hash and bytes agree but the tree does not hold them", () => {
    const forged = canonicalJson({ id: "forged", seq: 3 });
    const r = verifyEntry(input(3, { canonicalJson: forged, storedLeafHash: toBase64(hashLeaf(utf8(forged))) }));
    expect(r.ok).toBe(false);
    expect(r.steps.at(-1)).toMatchObject({ name: "Inclusion proof", ok: false });
  });

  it("fails the signature against a key that did not sign, and a proof for another leaf", () => {
    const wrongKey = verifyEntry(
      input(2, { keys: { origin: ORIGIN, keys: [{ verifierKey: verifierKeyString(other.name, other.publicKey) }] } }),
    );
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.steps.find((s) => s.name === "Checkpoint signature")!.ok).toBe(false);
    const wrongLeaf = verifyEntry(
      input(2, { proof: { leafIndex: 4, treeSize: 7, path: inclusionProof(4, leaves).map(toBase64) } }),
    );
    expect(wrongLeaf.ok).toBe(false);
  });

  it("fails when the proof is for another tree size than the note", () => {
    const r = verifyEntry(
      input(2, {
        treeSize: 6,
        proof: { leafIndex: 1, treeSize: 6, path: inclusionProof(1, leaves.slice(0, 6)).map(toBase64) },
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.steps.find((s) => s.name === "Checkpoint")!.ok).toBe(false);
  });

  it("rejects JSON that is not canonical", () => {
    const r = verifyEntry(input(1, { canonicalJson: entries[0]!.replace("{", "{ ") }));
    expect(r.steps[0]).toMatchObject({ name: "Canonical JSON", ok: false });
    expect(r.ok).toBe(false);
  });
});
