// The benchmark's settings (from the command line and BENCH_* variables) and the small
// helpers every section shares: logging, number formatting, percentiles, timed runs.
import path from "node:path";
import { performance } from "node:perf_hooks";

export const root = path.resolve(import.meta.dirname, "../..");
export const nextBin = path.join(root, "node_modules/next/dist/bin/next");
export const cli = path.join(root, "bin/ledgerline.mjs");

export const sizeArg = process.argv.includes("--quick") ? "quick" : (process.env.BENCH_SIZE ?? "full");
export const QUICK = sizeArg === "quick";
export const LARGEST = QUICK ? 100_000 : sizeArg === "full" ? 10_000_000 : Number(sizeArg);
if (!Number.isInteger(LARGEST) || LARGEST < 1000)
  throw new Error(`BENCH_SIZE must be "quick", "full" or an integer ≥ 1000 (got "${sizeArg}")`);
export const DATASETS = [...new Set([Math.min(LARGEST, 1_000_000), LARGEST])];
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/**
 * One ingest row: `clients` concurrent HTTP clients (spread over `instances`
 * servers on one store) sending batches of `batch`. `only` restricts a row to one
 * store. Single-event × 64 clients is many sidecars flushing at once (group
 * commit's case); two instances on one PostgreSQL is horizontal scaling.
 */
export type IngestSpec = {
  batch: number;
  events: number;
  clients: number;
  instances: number;
  only?: "sqlite" | "postgres";
};
const SCALE = QUICK ? 0.2 : 1;
const ALL_INGEST: IngestSpec[] = [
  { batch: 1, events: 2_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 1, events: 10_000 * SCALE, clients: 64, instances: 1 },
  { batch: 100, events: 30_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 500, events: 100_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 100, events: 40_000 * SCALE, clients: 8, instances: 1, only: "postgres" },
  { batch: 100, events: 40_000 * SCALE, clients: 8, instances: 2, only: "postgres" },
];
/** BENCH_ROWS=1x64,500x4 keeps only those ingest rows (batch × clients), e.g. to profile one. */
const ROWS = (process.env.BENCH_ROWS ?? "").split(",").filter(Boolean);
export const INGEST = ROWS.length ? ALL_INGEST.filter((r) => ROWS.includes(`${r.batch}x${r.clients}`)) : ALL_INGEST;
export const QUERY_RUNS = QUICK ? 15 : 30;
export const SKIP = new Set(
  (process.env.BENCH_SKIP ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
export const WRITE_DOC = process.env.BENCH_DOC ? process.env.BENCH_DOC !== "0" : !QUICK;
export const SOURCE = "spiffe://bench/client";
export const HASH_ROUND_MS = 600;

export const log = (m: string) => console.log(`[bench] ${m}`);
export const fmt = (n: number, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "—";
export const mib = (b: number) => `${fmt(b / 1024 / 1024, 1)} MiB`;
export const pct = (r: number) => `${fmt(r * 100, 1)} %`;

export function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    LEDGERLINE_DATA_DIR: dataDir,
    ...extra,
  };
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  if (!extra.NODE_OPTIONS) delete env.NODE_OPTIONS;
  return env;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `runs` timed calls of `fn` after 3 warm-ups: p50, p95 and the rows of the last call. */
export async function timeRuns(
  runs: number,
  fn: (i: number) => Promise<number>,
): Promise<{ p50: number; p95: number; rows: number }> {
  for (let i = 0; i < 3; i++) await fn(i);
  const t: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    rows = await fn(i);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p95: percentile(t, 95), rows };
}
