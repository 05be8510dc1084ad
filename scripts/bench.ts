// npm run bench — one report, regenerated into docs/benchmarks.md, every figure
// measured in this run on this machine, ratios beside absolutes:
//   1. ingest: HTTP against a real `next start` (batches of 1, 100, 500; SQLite
//      and PostgreSQL), beside the raw driver rate of the same rows in
//      transactions of the same size, with latency and `verify-log` on the result;
//   2. explorer: queryEvents (a requester page over 24 h) and queryHistogram
//      (24 h) p50/p95 on generated logs of 1 M and 10 M entries (SQLite), and on
//      1 M in PostgreSQL, with EXPLAIN plans, the index set, and the PostgreSQL
//      figures without the requester index (what the index buys);
//   3. timeline: benchTrace (scripts/bench/trace.ts) p50/p95 over 50-entry traces;
//   4. verification: verifyLog over the 1 M log beside raw JCS + SHA-256;
//   5. evidence bundle: benchBundle (scripts/bench/bundle.ts) time and peak RSS
//      (BENCH_BUNDLE_ENTRIES, default 100 000 entries of the 1 M log);
//   5b. verify-bundle on a 1 GiB events.jsonl (scripts/bench/verify-bundle.ts): time, peak RSS;
//   6. database size per million entries; the last stress run's load figures.
// The generated logs (scripts/bench/generate.ts) are real: canonical entries,
// leaf hashes, merkle_nodes, signed checkpoints; cached under BENCH_CACHE_DIR.
// Sizes: `npm run bench` = full (1 M + 10 M); `npm run bench -- --quick` or
// BENCH_SIZE=quick = 100 k and small ingest runs; BENCH_SIZE=<n> = logs of
// min(n, 1 M) and n. BENCH_SKIP=pg,http,… skips sections; BENCH_DOC=0 leaves
// docs/benchmarks.md alone (default: written on full runs only); `--render`
// rewrites it from the last full run's saved figures (after a new stress run).
// A benchmark, not a test: exit 1 only if something broke (a non-2xx, a failed
// verification, a crash), never on a figure. Talks to 127.0.0.1 only.
// The sections live in scripts/bench/: config.ts (settings, helpers), ingest.ts (1),
// explorer.ts (2, 3), verify.ts (4), bundle.ts (5), report.ts (the doc), generate.ts (logs).
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startPgCluster, type PgCluster } from "../test/support/pg-cluster.ts";
import { benchBundle, type BundleBench } from "./bench/bundle.ts";
import { DATASETS, INGEST, QUICK, SKIP, WRITE_DOC, fmt, log, mib, root, sizeArg } from "./bench/config.ts";
import { benchExplorers, openDatasetLedger } from "./bench/explorer.ts";
import { cacheDir, ensureDataset, type Dataset } from "./bench/generate.ts";
import { benchIngest, dbBytes } from "./bench/ingest.ts";
import { lastStress, machineInfo, renderDoc, type Results } from "./bench/report.ts";
import { bundleTargets } from "./bench/targets.ts";
import { benchVerify } from "./bench/verify.ts";
import { benchBigBundle } from "./bench/verify-bundle.ts";

/** The generated logs, from the cache after the first run. */
async function datasetsFor(sizes: number[]): Promise<Dataset[]> {
  const datasets: Dataset[] = [];
  for (const n of sizes) {
    const ds = await ensureDataset(n, (m) => log(`    ${m}`));
    log(`log of ${fmt(n)} entries ${ds.reused ? "reused" : "generated"}: ${ds.file} (${mib(dbBytes(ds.file))})`);
    datasets.push(ds);
  }
  return datasets;
}

/**
 * Section 5: an evidence bundle of the first BENCH_BUNDLE_ENTRIES (100 000) entries of a
 * generated log, and of the largest bundle allowed (1 M) when the log holds it: memory must stay flat.
 */
async function benchBundleOf(ds: Dataset): Promise<{ bundle: BundleBench; bundleLarge: BundleBench | null }> {
  const n = Math.min(ds.meta.entries, Number(process.env.BENCH_BUNDLE_ENTRIES ?? 100_000));
  const ledger = await openDatasetLedger(ds);
  const out: BundleBench[] = [];
  try {
    for (const size of [...new Set([n, Math.min(ds.meta.entries, 1_000_000)])]) {
      log(`5. evidence bundle of ${fmt(size)} entries…`);
      const b = await benchBundle(ledger, size);
      log(
        `    ${fmt(b.entries)} entries in ${fmt(b.seconds, 2)} s, peak RSS ${fmt(b.peakRssMiB)} MiB, ${mib(b.bytes)}; ${bundleTargets(b)}`,
      );
      out.push(b);
    }
    return { bundle: out[0]!, bundleLarge: out[1] ?? null };
  } finally {
    await ledger.close();
  }
}

type Measured = Omit<Results, "machine" | "size" | "wallS">;

/** Every section not in BENCH_SKIP, in order; a PostgreSQL cluster for the whole run unless `pg` is skipped. */
async function measure(datasets: Dataset[], problems: string[]): Promise<Measured> {
  let cluster: PgCluster | null = null;
  const r: Measured = { ingest: [], explorer: [], explorerPg: null, verify: null, bundle: null };
  try {
    if (!SKIP.has("pg")) cluster = await startPgCluster({ log: (m) => log(`    ${m}`) });
    if (!SKIP.has("http")) r.ingest = await benchIngest(cluster, problems);
    if (!SKIP.has("explorer")) Object.assign(r, await benchExplorers(datasets, cluster));
    if (!SKIP.has("verify")) r.verify = await benchVerify(datasets[0]!, problems);
    if (!SKIP.has("bundle")) Object.assign(r, await benchBundleOf(datasets[0]!));
  } finally {
    await cluster?.stop().catch(() => undefined);
  }
  return r;
}

async function main(): Promise<number> {
  const wall0 = performance.now();
  const machine = machineInfo();
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}`);
  log(
    `size: ${QUICK ? "quick" : sizeArg} — generated logs of ${DATASETS.map((n) => fmt(n)).join(" and ")} entries; ingest ${INGEST.map((r) => `${fmt(r.events)}×${r.batch} (${r.clients} clients${r.instances > 1 ? `, ${r.instances} instances` : ""})`).join(", ")}`,
  );
  const problems: string[] = [];
  const datasets = await datasetsFor(DATASETS);
  const measured = await measure(datasets, problems);
  const { ingest, explorer, explorerPg, verify, bundle, bundleLarge } = measured;
  const bigBundle = SKIP.has("big-bundle") ? null : benchBigBundle(problems);
  const results: Results = {
    machine,
    ...measured,
    wallS: (performance.now() - wall0) / 1000,
    size: QUICK ? "quick" : sizeArg,
  };
  fs.mkdirSync(cacheDir(), { recursive: true });
  fs.writeFileSync(path.join(cacheDir(), `bench-results-${results.size}.json`), JSON.stringify(results));
  const doc = renderDoc({ ...results, stress: lastStress() });
  if (WRITE_DOC) {
    fs.writeFileSync(path.join(root, "docs/benchmarks.md"), doc);
    log("wrote docs/benchmarks.md");
  } else console.log(`\n${doc}`);
  console.log(
    `BENCH_JSON ${JSON.stringify({ machine, size: sizeArg, ingest, explorer: explorer.map(({ plans: _p, indexes: _i, ...r }) => r), explorerPg: explorerPg && { ...explorerPg, plans: undefined, indexes: undefined }, verify, bundle, bundleLarge, bigBundle })}`,
  );
  for (const p of problems) console.error(`[bench] ${p}`);
  return problems.length ? 1 : 0;
}

/** `--render`: rewrite docs/benchmarks.md from the last full run's saved figures and the latest stress report (no measuring). */
async function render(): Promise<number> {
  const file = path.join(cacheDir(), "bench-results-full.json");
  if (!fs.existsSync(file)) throw new Error(`no saved full run (${file}): run npm run bench first`);
  const results = JSON.parse(fs.readFileSync(file, "utf8")) as Results;
  fs.writeFileSync(path.join(root, "docs/benchmarks.md"), renderDoc({ ...results, stress: lastStress() }));
  log("re-rendered docs/benchmarks.md from the saved run");
  return 0;
}

(process.argv.includes("--render") ? render() : main()).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[bench] ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
