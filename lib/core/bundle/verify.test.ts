import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, utf8 } from "../bytes.ts";
import { generateSigningKey, publicKeyToPem } from "../note.ts";
import { BUNDLE_FILES } from "./format.ts";
import { fixtureBundle, reseal, zipFiles } from "@/test/support/bundle-fixture.ts";
import { verifyBundle, type BundleReport, type CheckId } from "./verify.ts";

// Every mutation class fails with the right check named. "Raw" mutations change a byte
// and nothing else (checks 1–2 catch them, like openssl and sha256sum would); "resealed"
// ones are made by someone who also re-signs SHA256SUMS with the key, so only the
// deeper checks 3–5 can catch them.

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function status(r: BundleReport): Record<CheckId, string> {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status])) as Record<CheckId, string>;
}

function flipByte(files: Map<string, Uint8Array>, name: string, at: number): void {
  const b = files.get(name)!.slice();
  b[at] = b[at]! ^ 0x01;
  files.set(name, b);
}

function editText(files: Map<string, Uint8Array>, name: string, edit: (s: string) => string): void {
  const before = text(files.get(name)!);
  const after = edit(before);
  expect(after).not.toBe(before);
  files.set(name, utf8(after));
}

describe("verifyBundle on an intact bundle", () => {
  it("passes every check, from the ZIP and from loose files", async () => {
    const b = fixtureBundle();
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(r.ok).toBe(true);
    expect(r).toMatchObject({ reason: null, firstBadSeq: null });
    expect(r.checks.map((c) => `${c.label}:${c.status}`)).toEqual([
      "zip:pass",
      "1:pass",
      "2:pass",
      "3:pass",
      "4:pass",
      "5:pass",
      "key:pass",
      "wit:skip",
    ]);
    expect(r.manifest).toMatchObject({ count: 20, firstSeq: 2, lastSeq: 40, checkpoint: { treeSize: 40 } });
    expect(r.verdict).toBe("verified");
    const loose = await verifyBundle(b.files);
    // Consistent, but with no pinned key it is not verified (issue 14): its own key signed it, that is all.
    expect(loose).toMatchObject({ ok: false, verdict: "unpinned", firstBadSeq: null });
    expect(loose.reason).toMatch(/^consistent but unpinned/);
    expect(status(loose).key).toBe("skip");
    expect(loose.checks.find((c) => c.id === "key")!.detail).toContain(loose.key!.fingerprint);
  });

  it("a complete forgery under another key is consistent but never verified", async () => {
    // The insider's bundle: rebuilt end to end with a key of their own (entries, proofs,
    // checkpoint, SHA256SUMS, public-key.pem). Every internal check passes.
    const real = fixtureBundle();
    const forged = fixtureBundle({ seed: new Uint8Array(32).fill(7) });
    const unpinned = await verifyBundle(zipFiles(forged.files));
    expect(unpinned.checks.filter((c) => c.status === "fail")).toEqual([]);
    expect(unpinned).toMatchObject({ ok: false, verdict: "unpinned" });
    const pinned = await verifyBundle(zipFiles(forged.files), { key: real.verifierKey });
    expect(pinned).toMatchObject({ ok: false, verdict: "failed" });
    expect(status(pinned).key).toBe("fail");
  });

  it("accepts the trusted key as a PEM too, and refuses a different key", async () => {
    const b = fixtureBundle();
    expect((await verifyBundle(b.files, { key: publicKeyToPem(b.key.publicKey) })).ok).toBe(true);
    const other = generateSigningKey("test.ledgerline", new Uint8Array(32).fill(9));
    const r = await verifyBundle(b.files, { key: publicKeyToPem(other.publicKey) });
    expect(r.ok).toBe(false);
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "pass", key: "fail" });
    expect((await verifyBundle(b.files, { key: "nonsense" })).checks.find((c) => c.id === "key")!.status).toBe("fail");
  });

  it("verifies an empty bundle: count, firstSeq and lastSeq 0", async () => {
    const b = fixtureBundle({ filter: { service: "nobody" } });
    expect(text(b.files.get(BUNDLE_FILES.events)!)).toBe("");
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(r.ok).toBe(true);
    expect(r.manifest).toMatchObject({ count: 0, firstSeq: 0, lastSeq: 0 });
  });

  it("reports progress and awaits it", async () => {
    const b = fixtureBundle();
    const seen: number[] = [];
    await verifyBundle(b.files, { onProgress: async (done) => void seen.push(done) });
    expect(seen.at(-1)).toBe(20);
  });
});

describe("raw single-byte mutations fail checks 1 or 2", () => {
  const cases: Array<[string, string, (s: string) => number, CheckId]> = [
    ["a manifest byte", BUNDLE_FILES.manifest, (s) => s.indexOf('"count"') + 3, "checksums"],
    ["a signature byte", BUNDLE_FILES.sig, () => 10, "signature"],
    ["an event line byte", BUNDLE_FILES.events, (s) => s.indexOf("db://cards"), "checksums"],
    ["a proof element byte", BUNDLE_FILES.proofs, (s) => s.indexOf('"path":["') + 12, "checksums"],
    ["a checkpoint byte", BUNDLE_FILES.checkpoint, (s) => s.indexOf("\n") + 1, "checksums"],
    ["a CSV cell byte", BUNDLE_FILES.csv, (s) => s.indexOf("payments"), "checksums"],
    ["a SHA256SUMS byte", BUNDLE_FILES.sums, () => 3, "signature"],
    ["a public-key.pem byte", BUNDLE_FILES.key, (s) => s.indexOf("\n") + 20, "signature"],
    ["a VERIFY.txt byte", BUNDLE_FILES.verify, () => 5, "checksums"],
  ];
  it.each(cases)("%s → check %s", async (_what, name, at, failing) => {
    const b = fixtureBundle();
    flipByte(b.files, name, at(text(b.files.get(name)!)));
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(r.ok).toBe(false);
    expect(status(r)[failing]).toBe("fail");
    expect(status(r).zip).toBe("pass");
  });

  it("every sampled byte position of every file is caught", async () => {
    const b = fixtureBundle({ filter: { service: "payments", seqTo: 12 } });
    for (const [name, data] of b.files) {
      for (let k = 0; k < 12; k++) {
        const at = Math.floor(((k + 0.5) / 12) * data.length);
        const copy = new Map(b.files);
        flipByte(copy, name, at);
        const r = await verifyBundle(copy, { key: b.verifierKey });
        expect(r.ok, `${name}@${at}`).toBe(false);
        expect(status(r).signature === "fail" || status(r).checksums === "fail", `${name}@${at}`).toBe(true);
      }
    }
  });

  it("a missing file → check 2", async () => {
    const b = fixtureBundle();
    b.files.delete(BUNDLE_FILES.csv);
    const r = await verifyBundle(zipFiles(b.files));
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "fail" });
    expect(r.checks.find((c) => c.id === "checksums")!.detail).toMatch(/events\.csv: FAILED open or read/);
  });

  it("an extra file → check 2", async () => {
    const b = fixtureBundle();
    b.files.set("readme.txt", utf8("trust me"));
    const r = await verifyBundle(zipFiles(b.files));
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "fail" });
    expect(r.checks.find((c) => c.id === "checksums")!.detail).toMatch(/readme\.txt: not listed/);
  });
});

/** The fixture bundle changed by `edit` and re-signed with its own key, as a key holder could. */
async function resealed(edit: (files: Map<string, Uint8Array>) => void) {
  const b = fixtureBundle();
  edit(b.files);
  reseal(b.files, b.key.seed);
  return verifyBundle(zipFiles(b.files), { key: b.verifierKey });
}

describe("resealed mutations (SHA256SUMS re-signed with the key) fail checks 4–5", () => {
  it("manifest count → check 5", async () => {
    const r = await resealed((f) => editText(f, BUNDLE_FILES.manifest, (s) => s.replace('"count": 20', '"count": 19')));
    expect(status(r)).toMatchObject({
      signature: "pass",
      checksums: "pass",
      checkpoint: "pass",
      entries: "pass",
      manifest: "fail",
    });
  });

  it("manifest filter widened or narrowed → check 5 names the first entry outside it", async () => {
    const r = await resealed((f) =>
      editText(f, BUNDLE_FILES.manifest, (s) => s.replace('"service": "payments"', '"service": "ledger"')),
    );
    expect(status(r).manifest).toBe("fail");
    expect(r.checks.find((c) => c.id === "manifest")!.firstBadSeq).toBe(2);
  });

  it("an event field → check 4 with the first bad seq", async () => {
    const r = await resealed((f) =>
      editText(f, BUNDLE_FILES.events, (s) => s.replace('"outcome":"denied"', '"outcome":"success"')),
    );
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "pass", entries: "fail" });
    expect(r.checks.find((c) => c.id === "entries")!.firstBadSeq).toBe(6);
    expect(r).toMatchObject({ ok: false, firstBadSeq: 6, reason: expect.stringContaining("seq 6") });
  });

  it("a dropped entry (events and proofs lines) → check 5", async () => {
    const r = await resealed((f) => {
      for (const name of [BUNDLE_FILES.events, BUNDLE_FILES.proofs])
        editText(f, name, (s) =>
          s
            .split("\n")
            .filter((l) => !l.startsWith('{"seq":4,'))
            .join("\n"),
        );
    });
    expect(status(r)).toMatchObject({ entries: "pass", manifest: "fail" });
  });

  it("a proof element → check 4", async () => {
    const r = await resealed((f) =>
      editText(f, BUNDLE_FILES.proofs, (s) => {
        const m = /"path":\["([^"]+)"/.exec(s)!;
        const h = fromBase64(m[1]!);
        h[0] = h[0]! ^ 0x80;
        return s.replace(m[1]!, toBase64(h));
      }),
    );
    expect(status(r)).toMatchObject({ checksums: "pass", entries: "fail" });
    expect(r.checks.find((c) => c.id === "entries")!.detail).toMatch(/inclusion proof of seq 2/);
  });
});

describe("resealed mutations: the tree size, a CSV cell, the file set, another key", () => {
  it("the checkpoint's tree size → check 3", async () => {
    const r = await resealed((f) => editText(f, BUNDLE_FILES.checkpoint, (s) => s.replace("\n40\n", "\n41\n")));
    expect(status(r)).toMatchObject({ checksums: "pass", checkpoint: "fail" });
  });

  it("a CSV cell → check 5", async () => {
    const r = await resealed((f) => editText(f, BUNDLE_FILES.csv, (s) => s.replace(",denied,", ",success,")));
    expect(status(r)).toMatchObject({ checksums: "pass", entries: "pass", manifest: "fail" });
    expect(r.checks.find((c) => c.id === "manifest")!.detail).toMatch(/events\.csv row/);
  });

  it("a missing file → check 2", async () => {
    const r = await resealed((f) => f.delete(BUNDLE_FILES.verify));
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "fail" });
    expect(r.checks.find((c) => c.id === "checksums")!.detail).toMatch(/VERIFY\.txt: missing/);
  });

  it("an extra file → check 2", async () => {
    const r = await resealed((f) => f.set("extra.txt", utf8("x")));
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "fail" });
    expect(r.checks.find((c) => c.id === "checksums")!.detail).toMatch(/extra\.txt: not a file a bundle holds/);
  });

  it("re-signed with another key → check 3 (and the pinned key)", async () => {
    const b = fixtureBundle();
    const other = generateSigningKey("test.ledgerline", new Uint8Array(32).fill(3));
    b.files.set(BUNDLE_FILES.key, utf8(publicKeyToPem(other.publicKey)));
    reseal(b.files, other.seed);
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(status(r)).toMatchObject({ signature: "pass", checksums: "pass", checkpoint: "fail", key: "fail" });
  });
});

describe("hostile archives → the zip check", () => {
  it("refuses a bundle with a symlink and checks nothing else", async () => {
    const { zipSync } = await import("fflate");
    const z = zipSync({ "public-key.pem": [utf8("/etc/passwd"), { os: 3, attrs: 0o120777 << 16 }] });
    const r = await verifyBundle(z);
    expect(r.ok).toBe(false);
    expect(status(r).zip).toBe("fail");
    expect(r.checks.filter((c) => c.status === "pass")).toHaveLength(0);
  });
  it("never throws on garbage", async () => {
    const r = await verifyBundle(new Uint8Array([1, 2, 3]));
    expect(r.ok).toBe(false);
  });
});
