import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  archiveFileName,
  checkArchivedReceipts,
  parseArchiveName,
  receiptsFileName,
  receiptsNaming,
  type ArchivedReceipt,
} from "./archive.ts";
import { canonicalJson } from "./canonical-json.ts";

// The offline tie between an archive file and the prune receipts that name it: file names, the
// receipts found in a receipts bundle's lines, and the receipt hash recomputed from the archive.

const entry = (seq: number) => ({
  seq,
  timestamp: `2023-01-01T00:00:0${seq}.000Z`,
  action: "SELECT",
  outcome: "success",
});
const line = (seq: number) => JSON.stringify({ seq, leafHash: "x", entry: entry(seq) });
// The receipt's hash as the server computes it: JCS + LF per entry, seq order (node's SHA-256, not the code under test's).
const hashOf = (seqs: number[]) =>
  crypto
    .createHash("sha256")
    .update(seqs.map((s) => `${canonicalJson(entry(s))}\n`).join(""))
    .digest("hex");
const receipt = (over: Partial<ArchivedReceipt>): ArchivedReceipt => ({
  seq: 100,
  policy: "default",
  ranges: [{ first: 2, last: 3 }],
  count: 2,
  sha256: hashOf([2, 3]),
  archiveFile: "a.zip",
  archiveSha256: "00",
  ...over,
});

describe("archive files and receipts", () => {
  it("names files by month, policy and tree size, and reads the names back", () => {
    const f = archiveFileName("2023-01", "pci-400", 1234);
    expect(f).toBe("ledgerline-archive-2023-01-pci-400-t1234.zip");
    expect(parseArchiveName(f)).toEqual({ month: "2023-01", policy: "pci-400", treeSize: 1234, receipts: false });
    expect(parseArchiveName(receiptsFileName(f))).toMatchObject({ receipts: true });
    for (const bad of [
      "../x.zip",
      "ledgerline-archive-2023-1-a-t1.zip",
      "ledgerline-archive-2023-01-A-t1.zip",
      "x.zip",
    ])
      expect(parseArchiveName(bad), bad).toBeNull();
  });

  it("recomputes each receipt's hash from the archive's lines, and names the receipt that does not match", () => {
    const lines = [1, 2, 3, 4, 5].map(line);
    const sha = (parts: number[]) => hashOf(parts);
    const good = checkArchivedReceipts(
      lines,
      [receipt({}), receipt({ seq: 101, ranges: [{ first: 4, last: 5 }], sha256: sha([4, 5]) })],
      () => sha256.create(),
    );
    expect(good.map((c) => c.ok)).toEqual([true, true]);
    const changed = [1, 2, 3, 4, 5].map((s) => (s === 3 ? line(3).replace("SELECT", "DELETE") : line(s)));
    const [bad] = checkArchivedReceipts(changed, [receipt({})], () => sha256.create());
    expect(bad).toMatchObject({ ok: false, seq: 100 });
    const [short] = checkArchivedReceipts(lines.slice(0, 2), [receipt({})], () => sha256.create());
    expect(short!.detail).toContain("pruned 2 entries; the archive holds 1");
  });

  it("finds the receipts naming a file among a receipts bundle's lines", () => {
    const r = (seq: number, file: string) =>
      JSON.stringify({
        seq,
        leafHash: "x",
        entry: {
          action: "ledgerline.prune-receipt/v1",
          attributes: {
            receipt: "ledgerline.prune-receipt/v1",
            policy: "p",
            ranges: "1-2",
            count: 2,
            sha256: "ab",
            archiveFile: file,
            archiveSha256: "cd",
          },
        },
      });
    const found = receiptsNaming([r(10, "a.zip"), r(11, "b.zip"), line(12)], "a.zip");
    expect(found).toEqual([
      {
        seq: 10,
        policy: "p",
        ranges: [{ first: 1, last: 2 }],
        count: 2,
        sha256: "ab",
        archiveFile: "a.zip",
        archiveSha256: "cd",
      },
    ]);
  });
});
