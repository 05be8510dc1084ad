import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeBigBundle } from "@/test/support/big-bundle.ts";
import { runMeasured } from "@/test/support/peak-rss.ts";

// verify-bundle keeps memory flat (issue 13): a real bundle, signed with a real
// key, whose events.jsonl is large, written to disk as it is generated; the real
// CLI in its own processes, the peak RSS of the largest asserted (test/support/peak-rss.ts). The default
// tier uses LEDGERLINE_BIG_BUNDLE_MIB (32) MiB; `npm run bench` runs the 1 GiB one.

const root = path.resolve(__dirname, "../../..");
const bin = path.join(root, "bin/ledgerline.mjs");
const MIB = Number(process.env.LEDGERLINE_BIG_BUNDLE_MIB ?? 32);
const MAX_RSS_MB = 300;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-big-bundle-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI; its exit code, output and peak RSS (MiB, the largest of its Node processes). */
function cli(args: string[]) {
  const r = runMeasured([bin, "verify-bundle", ...args], { cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, rssMb: r.peakRssMiB };
}

describe("verify-bundle streams large bundles", () => {
  it(`verifies a ${MIB} MiB stored events.jsonl with flat memory, and names a byte changed inside it`, () => {
    const file = path.join(dir, "stored.zip");
    const b = writeBigBundle(file, MIB * 1024 * 1024);
    expect(b.eventsBytes).toBeGreaterThanOrEqual(MIB * 1024 * 1024);
    const ok = cli([file, "--key", b.verifierKey]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`${b.entries} entries: leaf hashes and inclusion proofs valid`);
    expect(ok.stdout).toContain("VERIFIED");
    expect(ok.rssMb).toBeLessThan(MAX_RSS_MB);

    // One byte inside entry 3/4 of the way in (in its padding), CRC-32 left alone: the archive is refused, naming the file.
    const seq = Math.floor((b.entries * 3) / 4);
    const at = b.eventsDataStart + b.lineOffset(seq) + 2000;
    const fd = fs.openSync(file, "r+");
    const one = Buffer.alloc(1);
    fs.readSync(fd, one, 0, 1, at);
    one[0] = one[0]! === 0x61 ? 0x62 : 0x61;
    fs.writeSync(fd, one, 0, 1, at);
    fs.closeSync(fd);
    const crc = cli([file, "--key", b.verifierKey]);
    expect(crc.status).toBe(1);
    expect(crc.stdout).toContain('"events.jsonl" fails its CRC-32 check (corrupt archive)');
    // The same byte with the CRC-32 recomputed: SHA256SUMS names the file, the entry check names the seq.
    b.fixEventsCrc();
    const bad = cli([file, "--key", b.verifierKey]);
    expect(bad.status, bad.stdout).toBe(1);
    expect(bad.stdout).toContain("events.jsonl: FAILED (content differs from its checksum)");
    expect(bad.stdout).toContain(`entry seq ${seq} does not hash to its leafHash`);
    expect(bad.stdout).toContain(`(first bad seq ${seq})`);
    expect(bad.rssMb).toBeLessThan(MAX_RSS_MB);
    fs.rmSync(file);
  });

  it("verifies deflated members as they inflate", () => {
    const file = path.join(dir, "deflated.zip");
    const b = writeBigBundle(file, Math.min(MIB, 32) * 1024 * 1024, true);
    const ok = cli([file, "--key", b.verifierKey]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("VERIFIED");
    expect(ok.rssMb).toBeLessThan(MAX_RSS_MB);
    fs.rmSync(file);
  });
});
