import { describe, expect, it } from "vitest";
import { utf8 } from "../bytes.ts";
import { fixtureBundle, reseal, zipFiles } from "@/test/support/bundle-fixture.ts";
import { BUNDLE_FILES } from "./format.ts";
import { verifyBundle } from "./verify.ts";

// Review packs (docs/reviews.md) add report.html and report.pdf under SHA256SUMS: the
// verifier accepts exactly those two as optional files, covers their bytes with check 2,
// still refuses any other extra file, and reads the explorer's hideOwnActivity filter.

const checksums = async (files: Map<string, Uint8Array>, key: string) =>
  (await verifyBundle(zipFiles(files), { key })).checks.find((c) => c.label === "2")!;

describe("review report files in a bundle", () => {
  it("verifies a bundle with report.html and report.pdf listed in SHA256SUMS", async () => {
    const b = fixtureBundle();
    b.files.set("report.html", utf8("<!doctype html><p>20 entries</p>"));
    b.files.set("report.pdf", utf8("%PDF-1.3\n"));
    reseal(b.files, b.key.seed);
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(r.verdict, r.reason ?? "").toBe("verified");
  });

  it("fails check 2 when a report byte changed after signing, or a report is not listed", async () => {
    const b = fixtureBundle();
    b.files.set("report.html", utf8("<p>20 entries</p>"));
    reseal(b.files, b.key.seed);
    b.files.set("report.html", utf8("<p>2 entries</p>"));
    const changed = await checksums(b.files, b.verifierKey);
    expect(changed.status).toBe("fail");
    expect(changed.detail).toContain("report.html: FAILED");
    const c = fixtureBundle();
    c.files.set("report.pdf", utf8("%PDF-1.3\n")); // added without resealing
    expect((await checksums(c.files, c.verifierKey)).detail).toContain("report.pdf: not listed in SHA256SUMS");
  });

  it("still refuses any other extra file, even listed and signed", async () => {
    const b = fixtureBundle();
    b.files.set("report.txt", utf8("x"));
    reseal(b.files, b.key.seed);
    expect((await checksums(b.files, b.verifierKey)).detail).toContain("report.txt: not a file a bundle holds");
  });

  it("reads a filter with hideOwnActivity (an explorer link's default) and applies it", async () => {
    const b = fixtureBundle({ filter: { service: "payments", hideOwnActivity: true } });
    const m = JSON.parse(new TextDecoder().decode(b.files.get(BUNDLE_FILES.manifest)));
    expect(m.filter.hideOwnActivity).toBe(true);
    const r = await verifyBundle(zipFiles(b.files), { key: b.verifierKey });
    expect(r.verdict, r.reason ?? "").toBe("verified");
  });
});
