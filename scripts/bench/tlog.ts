// The tiles API, the monitor and the witness, measured:
//   - `ledgerline monitor --once` verifying a generated log of N entries (default 1 M) from
//     nothing, through a real `next start` server's /tlog/ tiles: tiles only, then with a
//     read token (every entry bundle downloaded and every leaf recomputed);
//   - `ledgerline witness serve` add-checkpoint latency (each request is one fsynced
//     SQLite transaction and one Ed25519 signature), p50 / p95 / p99 over sequential requests.
// Standalone: tsx --conditions=react-server scripts/bench/tlog.ts [entries] — prints the
// figures and a TLOG_BENCH_JSON line. Uses the existing .next build (test/stress/support.ts).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSigningKey, sha256, verifierKeyString } from "@/lib/core/index.ts";
import { createReadToken, ensureBuild, root, startServer, stopServer, type Store } from "../../test/stress/support.ts";
import { DATASET_ORIGIN, ensureDataset } from "./generate.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { addCheckpointBody, killWitness, startWitness, witnessKey } from "../../test/support/witness-process.ts";

const cli = path.join(root, "bin/ledgerline.mjs");
const N = Number(process.argv[2] ?? 1_000_000);
const log = (m: string) => console.log(`[bench:tlog] ${m}`);

function monitorOnce(url: string, vkey: string, token?: string): { seconds: number; line: string } {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-monitor-"));
  try {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [cli, "monitor", "--once", "--url", url, "--key", vkey, "--state", state, ...(token ? ["--token", token] : [])],
      { cwd: root, encoding: "utf8", timeout: 3_600_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const line = /OK: .*/.exec(r.stdout)?.[0];
    if (r.status !== 0 || !line) throw new Error(`monitor exited ${r.status}: ${r.stdout.slice(-800)}${r.stderr}`);
    return { seconds, line };
  } finally {
    fs.rmSync(state, { recursive: true, force: true });
  }
}

async function witnessLatency(requests: number): Promise<{ p50: number; p95: number; p99: number; mean: number }> {
  const key = witnessKey("bench.witness/w1");
  const logKey = generateSigningKey("bench.example/log");
  // Limits far above the request count: the figure is the witness's own latency, not its throttle.
  const w = await startWitness(key, verifierKeyString(logKey.name, logKey.publicKey), {
    rate: { perSecond: 100_000, burst: 100_000 },
  });
  const url = w.url;
  try {
    const leaves = Array.from({ length: requests * 10 + 10 }, (_, i) => sha256(Uint8Array.of(i >> 16, i >> 8, i)));
    const times: number[] = [];
    let old = 0;
    for (let i = 1; i <= requests; i++) {
      const size = i * 10;
      const body = addCheckpointBody(logKey, leaves, old, size, { hasher: nodeHasher });
      const t0 = performance.now();
      const res = await fetch(`${url}/add-checkpoint`, { method: "POST", body });
      await res.text();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`witness answered ${res.status}`);
      old = size;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
    return { p50: at(50), p95: at(95), p99: at(99), mean: times.reduce((a, b) => a + b, 0) / times.length };
  } finally {
    await killWitness(w);
    fs.rmSync(key.dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  ensureBuild();
  const ds = await ensureDataset(N, log);
  log(`log of ${N} entries ${ds.reused ? "reused" : "generated"}: ${ds.file}`);
  // A private copy: the server and the CLI append (key registration, meta-audit) to the log.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-tlog-"));
  const results: Record<string, unknown> = { entries: N, cores: os.cpus().length, loadavg: os.loadavg()[0] };
  try {
    for (const f of fs.readdirSync(ds.dir)) fs.copyFileSync(path.join(ds.dir, f), path.join(dataDir, f));
    const store: Store = { dialect: "sqlite", dataDir };
    const token = createReadToken(store, "auditor");
    const server = await startServer(store, {
      LEDGERLINE_ORIGIN: DATASET_ORIGIN,
      LEDGERLINE_VERIFY_INTERVAL: "0",
      LEDGERLINE_CHECKPOINT_INTERVAL: "3600",
    });
    try {
      const url = `${server.url}/tlog`;
      const tiles = monitorOnce(url, ds.meta.verifierKey);
      log(`monitor, tiles only: ${tiles.seconds.toFixed(1)} s — ${tiles.line}`);
      const entries = monitorOnce(url, ds.meta.verifierKey, token);
      log(`monitor, with entry bundles: ${entries.seconds.toFixed(1)} s — ${entries.line}`);
      results.monitorTilesOnlyS = Number(tiles.seconds.toFixed(1));
      results.monitorWithEntriesS = Number(entries.seconds.toFixed(1));
    } finally {
      await stopServer(server);
    }
    const w = await witnessLatency(200);
    log(`witness add-checkpoint: p50 ${w.p50.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`);
    results.witnessMs = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Number(v.toFixed(1))]));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`TLOG_BENCH_JSON ${JSON.stringify(results)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`[bench:tlog] ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
