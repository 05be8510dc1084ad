import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeBigBundle } from "../../test/support/big-bundle.ts";
import { runMeasured } from "../../test/support/peak-rss.ts";
import { fmt, log, root } from "./config.ts";

// Section 5b: `ledgerline verify-bundle` on a bundle whose events.jsonl is
// BENCH_BIG_BUNDLE_MIB (default 1024) MiB, stored, written to a temp dir and
// deleted afterwards: the CLI's wall time and peak RSS (the largest of its Node processes, test/support/peak-rss.ts), which must
// stay flat (under 300 MB) whatever the bundle's size.

export type BigBundleBench = {
  eventsMiB: number;
  zipMiB: number;
  entries: number;
  seconds: number;
  peakRssMiB: number;
};

export function benchBigBundle(problems: string[]): BigBundleBench | null {
  const mib = Number(process.env.BENCH_BIG_BUNDLE_MIB ?? 1024);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-bench-bundle-"));
  try {
    const free = fs.statfsSync(dir);
    if (free.bavail * free.bsize < mib * 3 * 1024 * 1024) {
      problems.push(`big bundle skipped: less than ${mib * 3} MiB free in ${dir}`);
      return null;
    }
    log(`5b. verify-bundle on a bundle with a ${fmt(mib)} MiB events.jsonl…`);
    const file = path.join(dir, "big.zip");
    const b = writeBigBundle(file, mib * 1024 * 1024);
    const t0 = Date.now();
    const r = runMeasured([path.join(root, "bin/ledgerline.mjs"), "verify-bundle", file, "--key", b.verifierKey], {
      cwd: root,
    });
    const seconds = (Date.now() - t0) / 1000;
    if (r.status !== 0) problems.push(`verify-bundle on the big bundle exited ${r.status}: ${r.stdout.slice(-500)}`);
    const out = {
      eventsMiB: b.eventsBytes / 1024 / 1024,
      zipMiB: fs.statSync(file).size / 1024 / 1024,
      entries: b.entries,
      seconds,
      peakRssMiB: r.peakRssMiB,
    };
    log(
      `    ${fmt(out.entries)} entries, zip ${fmt(out.zipMiB)} MiB: ${fmt(seconds, 1)} s, peak RSS ${fmt(out.peakRssMiB)} MiB`,
    );
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
