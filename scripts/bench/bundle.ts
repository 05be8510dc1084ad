// Bundle export speed: one evidence bundle of the first n entries of a ledger, built
// the way the server builds it (buildBundle: keyset pages, proofs against one
// checkpoint, deflating spools, streamed ZIP), timed, with peak RSS sampled while it
// runs. Target (issue 7): 100 k entries in ≤ 10 s and ≤ 300 MB RSS. Standalone, on
// the cached 100 k-entry SQLite dataset (scripts/bench/generate.ts):
//   tsx --conditions=react-server scripts/bench/bundle.ts [n]
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { verifyBundle } from "@/lib/core/bundle/verify.ts";
import { buildBundle } from "@/lib/server/bundles/build.ts";
import { buildBundleIsolated } from "@/lib/server/bundles/build-process.ts";
import type { Ledger } from "@/lib/server/ledger/ledger.ts";
import { uuidv7 } from "@/lib/server/db/ids.ts";
import type { ReviewReportSpec } from "@/lib/server/reviews/report-data.ts";
import { openDatasetLedger } from "./explorer.ts";
import { ensureDataset } from "./generate.ts";

export type BundleBench = {
  entries: number;
  seconds: number;
  /** Peak resident set of the build: the child process's (as the server builds). */
  peakRssMiB: number;
  bytes: number;
  startRssMiB: number;
  /** How much this (waiting) process grew meanwhile. */
  parentGrowthMiB: number;
};

/** Builds a bundle of entries 1..n (the ledger must hold at least n) and measures it; the ZIP is removed afterwards. */
export async function benchBundle(ledger: Ledger, n: number, report?: ReviewReportSpec): Promise<BundleBench> {
  let peak = process.memoryUsage.rss();
  const start = peak;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const id = uuidv7();
  const t0 = performance.now();
  try {
    // As the server builds it: in a capped child process (lib/server/bundles/build-process.ts).
    const r = await buildBundleIsolated(
      ledger,
      { id, createdAt: new Date().toISOString(), createdBy: "bench@ledgerline.dev", filter: { seqTo: n }, report },
      () => {
        peak = Math.max(peak, process.memoryUsage.rss());
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    // The build's peak is the child's; this process only waited (its own growth is reported too).
    const parentGrowth = Math.max(peak, process.memoryUsage.rss()) - start;
    peak = r.peakRssMiB !== undefined ? r.peakRssMiB * 1024 * 1024 : peak;
    fs.rmSync(r.file, { force: true });
    return {
      entries: r.count,
      seconds,
      peakRssMiB: peak / 1024 / 1024,
      bytes: r.size,
      startRssMiB: start / 1024 / 1024,
      parentGrowthMiB: parentGrowth / 1024 / 1024,
    };
  } finally {
    clearInterval(sample);
  }
}

/** A daily review's report over entries 1..n: its period is the span of their timestamps. */
async function reviewSpec(ledger: Ledger, n: number): Promise<ReviewReportSpec> {
  const r = await ledger.db.get<{ a: string; b: string }>(
    "SELECT MIN(ts) AS a, MAX(ts) AS b FROM entries WHERE seq <= ?",
    [n],
  );
  return {
    ...{ scheduleId: uuidv7(), scheduleName: "Bench daily review", viewName: "All", viewQuery: "own=include" },
    ...{ frequency: "daily", cron: "0 0 * * *", timeZone: "UTC", template: null },
    ...{ periodStart: r!.a, periodEnd: new Date(Date.parse(r!.b) + 1).toISOString() },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  const log = (m: string) => console.log(`[bench:bundle] ${m}`);
  const ds = await ensureDataset(n, log);
  log(`dataset ${ds.reused ? "reused" : "built"}: ${ds.file}`);
  const ledger = await openDatasetLedger(ds);
  try {
    // BENCH_REVIEW=1: the same entries as a review pack (report.html + report.pdf inside), docs/reviews.md.
    const r = await benchBundle(ledger, n, process.env.BENCH_REVIEW === "1" ? await reviewSpec(ledger, n) : undefined);
    log(
      `${r.entries.toLocaleString("en-US")} entries in ${r.seconds.toFixed(2)} s, peak RSS of the build ${r.peakRssMiB.toFixed(0)} MiB (this process: ${r.startRssMiB.toFixed(0)} MiB before, +${r.parentGrowthMiB.toFixed(0)} MiB), ZIP ${(r.bytes / 1024 / 1024).toFixed(1)} MiB (targets ≤ 10 s, ≤ 300 MB)`,
    );
    if (process.env.BENCH_BUNDLE_VERIFY === "1") {
      // The offline verifier on the same bundle (built again, kept for this).
      const id = uuidv7();
      const b = await buildBundle(ledger, {
        id,
        createdAt: new Date().toISOString(),
        createdBy: "bench@ledgerline.dev",
        filter: { seqTo: n },
      });
      const t0 = performance.now();
      // Pinned to the ledger's own key: unpinned, the verifier never reports "verified".
      const key = (await ledger.signingKey()).verifierKey;
      const v = await verifyBundle(new Uint8Array(fs.readFileSync(b.file)), { key });
      log(`verifyBundle: ${v.verdict} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      fs.rmSync(path.dirname(b.file) + `/${id}.zip`, { force: true });
    }
    console.log(`BENCH_BUNDLE_JSON ${JSON.stringify(r)}`);
  } finally {
    await ledger.close();
  }
}
