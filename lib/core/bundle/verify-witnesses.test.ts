import { describe, expect, it } from "vitest";
import { utf8 } from "../bytes.ts";
import { signKeyRotation } from "../key-rotation.ts";
import { generateSigningKey, openNote, parseCheckpoint, verifierKeyString } from "../note.ts";
import { witnessPolicy } from "../pins.ts";
import { cosignCheckpoint, cosignerVerifierKey, generateCosignerKey } from "../tlog/index.ts";
import { fixtureBundle, reseal, zipFiles } from "@/test/support/bundle-fixture.ts";
import { BUNDLE_FILES } from "./format.ts";
import { verifyBundle, type BundleReport } from "./verify.ts";

// Bundles that carry witness cosignatures (issue 14): the lines count only for the witnesses the
// caller pins, a forged line under a pinned witness fails the bundle, too few is "no-quorum", and
// the checkpoint stays a plain C2SP checkpoint that an old verifier opens with the log key alone.

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const NOW = 1_800_000_000;
const witnesses = ["alpha", "beta", "gamma"].map((n, i) => generateCosignerKey(n, new Uint8Array(32).fill(i + 7)));
const vkeys = witnesses.map((w) => cosignerVerifierKey(w.name, w.publicKey));

/** The fixture bundle with cosignature lines by `who` appended to checkpoint.txt, resealed. */
function cosignedBundle(who: number[], at = NOW - 60) {
  const b = fixtureBundle();
  const note = text(b.files.get(BUNDLE_FILES.checkpoint)!);
  const body = note.slice(0, note.indexOf("\n\n") + 1);
  const lines = who.map((i) => cosignCheckpoint(body, witnesses[i]!, at)).join("");
  b.files.set(BUNDLE_FILES.checkpoint, utf8(note + lines));
  reseal(b.files, b.key.seed);
  return b;
}

const wit = (r: BundleReport) => r.checks.find((c) => c.id === "witnesses")!;

describe("verifyBundle with witness cosignatures", () => {
  it("with no cosignature and nothing pinned: unpinned, the wit check says there is none", async () => {
    const r = await verifyBundle(zipFiles(fixtureBundle().files), { now: NOW });
    expect(r.verdict).toBe("unpinned");
    expect(wit(r)).toMatchObject({ status: "skip" });
    expect(wit(r).detail).toContain("no witness cosignature");
    expect(r.trusted).toEqual([]);
  });

  it("cosignature lines alone pin nothing: consistent but unpinned", async () => {
    const r = await verifyBundle(cosignedBundle([0, 1]).files, { now: NOW });
    expect(r).toMatchObject({ verdict: "unpinned", ok: false, witnesses: { lines: 2, cosigned: [] } });
    expect(wit(r).detail).toMatch(/2 cosignature line\(s\).*--witness/);
  });

  it("a quorum of pinned witnesses verifies without --key, and says whom it trusted", async () => {
    const r = await verifyBundle(cosignedBundle([0, 1]).files, { witnesses: witnessPolicy(vkeys, 2), now: NOW });
    expect(r).toMatchObject({ verdict: "verified", ok: true, witnesses: { lines: 2, cosigned: ["w1", "w2"] } });
    expect(wit(r)).toMatchObject({ status: "pass" });
    expect(wit(r).detail).toContain("witnessed by 2 of 3");
    expect(r.trusted.filter((t) => t.startsWith("witness "))).toHaveLength(3);
  });

  it("one cosignature of a quorum of two is no-quorum, naming who cosigned", async () => {
    const r = await verifyBundle(cosignedBundle([1]).files, { witnesses: witnessPolicy(vkeys, 2), now: NOW });
    expect(r).toMatchObject({ verdict: "no-quorum", ok: false });
    expect(r.reason).toMatch(/quorum not met: 1 of your 3 pinned witnesses cosigned \(w2\)/);
    // The key pinned too does not make up for the missing quorum (as verify-log).
    const both = await verifyBundle(cosignedBundle([1]).files, {
      key: fixtureBundle().verifierKey,
      witnesses: witnessPolicy(vkeys, 2),
      now: NOW,
    });
    expect(both.verdict).toBe("no-quorum");
  });

  it("lines by witnesses the caller did not pin count for nothing", async () => {
    const other = generateCosignerKey("delta", new Uint8Array(32).fill(99));
    const policy = witnessPolicy([cosignerVerifierKey(other.name, other.publicKey)], 1);
    const r = await verifyBundle(cosignedBundle([0, 1, 2]).files, { witnesses: policy, now: NOW });
    expect(r).toMatchObject({ verdict: "no-quorum", witnesses: { lines: 3, cosigned: [] } });
  });

  it("a forged line under a pinned witness's name and key id fails the bundle", async () => {
    const b = cosignedBundle([0, 1]);
    const note = text(b.files.get(BUNDLE_FILES.checkpoint)!);
    const lines = note.split("\n");
    // Change one base64 character of beta's signature (not its key id prefix).
    const i = lines.findIndex((l) => l.startsWith("\u2014 beta "));
    const l = lines[i]!;
    const at = l.length - 10;
    lines[i] = l.slice(0, at) + (l[at] === "A" ? "B" : "A") + l.slice(at + 1);
    b.files.set(BUNDLE_FILES.checkpoint, utf8(lines.join("\n")));
    reseal(b.files, b.key.seed);
    const r = await verifyBundle(b.files, { witnesses: witnessPolicy(vkeys, 1), now: NOW });
    expect(r.verdict).toBe("failed");
    expect(wit(r).status).toBe("fail");
    expect(wit(r).detail).toMatch(/w2: cosignature does not verify.*forged/);
  });

  it("a cosignature dated more than five minutes after now is refused", async () => {
    const r = await verifyBundle(cosignedBundle([0], NOW + 3600).files, {
      witnesses: witnessPolicy(vkeys, 1),
      now: NOW,
    });
    expect(r.verdict).toBe("failed");
    expect(wit(r).detail).toContain("dated in the future");
  });

  it("the cosigned checkpoint is still a plain C2SP checkpoint an old verifier opens with the log key", () => {
    const b = cosignedBundle([0, 1, 2]);
    const note = text(b.files.get(BUNDLE_FILES.checkpoint)!);
    const opened = openNote(note, [{ name: b.key.name, publicKey: b.key.publicKey }]);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(parseCheckpoint(opened.text)).toMatchObject({ origin: "test.ledgerline/bundles", size: 40 });
    expect(note.split("\n").filter((l) => l.startsWith("\u2014 "))).toHaveLength(4);
  });
});

describe("verifyBundle following key rotation statements", () => {
  const old = generateSigningKey("test.ledgerline", new Uint8Array(32).fill(42));
  const oldVkey = verifierKeyString(old.name, old.publicKey);

  /** The fixture (signed by its own key) with a statement old → fixture key in the manifest, or a forged one. */
  function rotatedBundle(signedBy: { name: string; seed: Uint8Array }) {
    const b = fixtureBundle();
    const statement = signKeyRotation(
      {
        origin: "test.ledgerline/bundles",
        oldKey: oldVkey,
        newKey: b.verifierKey,
        treeSize: 10,
        time: "2026-11-01T00:00:00Z",
      },
      signedBy,
      { name: b.key.name, seed: b.key.seed },
    );
    const m = JSON.parse(text(b.files.get(BUNDLE_FILES.manifest)!)) as Record<string, unknown>;
    b.files.set(BUNDLE_FILES.manifest, utf8(`${JSON.stringify({ ...m, keyRotations: [statement] }, null, 2)}\n`));
    reseal(b.files, b.key.seed);
    return b;
  }

  it("a pinned earlier key verifies a bundle signed by its successor through the statement", async () => {
    const r = await verifyBundle(rotatedBundle(old).files, { key: oldVkey });
    expect(r.verdict).toBe("verified");
    expect(r.checks.find((c) => c.id === "key")!.detail).toMatch(/rotation statement at tree size 10/);
    expect(r.trusted).toHaveLength(2);
  });

  it("a statement not signed by the pinned key is not followed", async () => {
    const stranger = generateSigningKey("test.ledgerline", new Uint8Array(32).fill(43));
    const r = await verifyBundle(rotatedBundle(stranger).files, { key: oldVkey });
    expect(r.verdict).toBe("failed");
    expect(r.checks.find((c) => c.id === "key")!.detail).toMatch(/not by a key you trust.*not followed/);
  });
});
