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
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { entryLeafHash, type EventFilter } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openSqlite } from "@/lib/server/db/driver.ts";
import { migrate } from "@/lib/server/db/migrate.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { demoEvents } from "@/lib/server/runtime/demo-seed.ts";
import { filterWhere } from "@/lib/server/events/filter-sql.ts";
import { queryEvents, queryHistogram } from "@/lib/server/events/query.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow, type Entry } from "@/lib/server/ledger/entry.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";
import { verifyLog } from "@/lib/server/ledger/verify.ts";
// The server's SHA-256 (Node's native one), for every figure here.
import "@/lib/server/ledger/native-crypto.ts";
import { createDatabase, startPgCluster, type PgCluster } from "../test/support/pg-cluster.ts";
import { freePort } from "../test/support/free-port.ts";
import { ensureBuild as prepareAppDir } from "../test/stress/support.ts";
import { cacheDir, ensureDataset, type Dataset } from "./bench/generate.ts";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const cli = path.join(root, "bin/ledgerline.mjs");

const sizeArg = process.argv.includes("--quick") ? "quick" : (process.env.BENCH_SIZE ?? "full");
const QUICK = sizeArg === "quick";
const LARGEST = QUICK ? 100_000 : sizeArg === "full" ? 10_000_000 : Number(sizeArg);
if (!Number.isInteger(LARGEST) || LARGEST < 1000)
  throw new Error(`BENCH_SIZE must be "quick", "full" or an integer ≥ 1000 (got "${sizeArg}")`);
const DATASETS = [...new Set([Math.min(LARGEST, 1_000_000), LARGEST])];
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/**
 * One ingest row: `clients` concurrent HTTP clients (spread over `instances`
 * servers on one store) sending batches of `batch`. `only` restricts a row to one
 * store. Single-event × 64 clients is many sidecars flushing at once (group
 * commit's case); two instances on one PostgreSQL is horizontal scaling.
 */
type IngestSpec = {
  batch: number;
  events: number;
  clients: number;
  instances: number;
  only?: "sqlite" | "postgres";
};
const SCALE = QUICK ? 0.2 : 1;
const INGEST: IngestSpec[] = [
  { batch: 1, events: 2_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 1, events: 10_000 * SCALE, clients: 64, instances: 1 },
  { batch: 100, events: 30_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 500, events: 100_000 * SCALE, clients: CONCURRENCY, instances: 1 },
  { batch: 100, events: 40_000 * SCALE, clients: 8, instances: 1, only: "postgres" },
  { batch: 100, events: 40_000 * SCALE, clients: 8, instances: 2, only: "postgres" },
];
const QUERY_RUNS = QUICK ? 15 : 30;
const SKIP = new Set(
  (process.env.BENCH_SKIP ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);
const WRITE_DOC = process.env.BENCH_DOC ? process.env.BENCH_DOC !== "0" : !QUICK;
const SOURCE = "spiffe://bench/client";
const HASH_ROUND_MS = 600;

const log = (m: string) => console.log(`[bench] ${m}`);
const fmt = (n: number, d = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "—";
const mib = (b: number) => `${fmt(b / 1024 / 1024, 1)} MiB`;
const pct = (r: number) => `${fmt(r * 100, 1)} %`;

function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    LEDGERLINE_DATA_DIR: dataDir,
    ...extra,
  };
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  return env;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------- events ---

function makeEvents(n: number): Array<NormalizedEvent & { id: string }> {
  const out: NormalizedEvent[] = [];
  for (let seed = 20261127, count = Math.ceil(n / 2) + 100; out.length < n; seed++) {
    for (const list of demoEvents(count, Date.now(), 7, seed).values()) out.push(...list);
  }
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const events = out.slice(0, n) as Array<NormalizedEvent & { id: string }>;
  for (const [i, e] of events.entries()) e.id = `bench-${i}`;
  return events;
}

// ------------------------------------------------------------- hashing ---

/** Median of three rounds of JCS + SHA-256 leaf hashes (one core). */
function benchHash(entries: Entry[]): number {
  for (let i = 0; i < Math.min(entries.length, 5000); i++) entryLeafHash(entries[i]!);
  const rounds: number[] = [];
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    do {
      for (const e of entries) sink ^= entryLeafHash(e)[0]!;
      n += entries.length;
    } while (performance.now() - t0 < HASH_ROUND_MS);
    rounds.push((n / (performance.now() - t0)) * 1000);
  }
  if (sink === 256) console.log();
  return rounds.sort((a, b) => a - b)[1]!;
}

// ---------------------------------------------------------- raw inserts ---

function applySchema(db: Database.Database) {
  const dir = path.join(root, "prisma/migrations/sqlite");
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort())
    db.exec(fs.readFileSync(path.join(dir, f), "utf8"));
}

function dbBytes(file: string): number {
  let n = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) n += fs.statSync(f).size;
  return n;
}

/** Raw better-sqlite3 inserts of `rows`, `batch` per transaction, the app's pragmas (synchronous=FULL). */
function rawSqlite(rows: unknown[][], batch: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-raw-"));
  try {
    const db = openSqlite(path.join(dir, "ledgerline.db"));
    applySchema(db);
    const stmt = db.prepare(
      `INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map(() => "?").join(", ")})`,
    );
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) {
      db.exec("BEGIN IMMEDIATE");
      for (let j = i; j < Math.min(i + batch, rows.length); j++) stmt.run(...(rows[j] as never[]));
      db.exec("COMMIT");
    }
    const ms = performance.now() - t0;
    db.close();
    return (rows.length / ms) * 1000;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw pg inserts of `rows` into a migrated database: one multi-row INSERT per `batch`, each its own transaction. */
async function rawPostgres(url: string, rows: unknown[][], batch: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = ENTRY_COLUMNS.join(", ");
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) {
      const chunk = rows.slice(i, i + batch);
      const values = chunk.map((r, k) => `(${r.map((_, j) => `$${k * r.length + j + 1}`).join(", ")})`).join(", ");
      await c.query("BEGIN");
      await c.query(
        `INSERT INTO entries (${cols}) VALUES ${values}`,
        chunk.flat().map((v) => (v instanceof Uint8Array ? Buffer.from(v) : v)),
      );
      await c.query("COMMIT");
    }
    return (rows.length / (performance.now() - t0)) * 1000;
  } finally {
    await c.end();
  }
}

// --------------------------------------------------------- HTTP servers ---

/** The app dir servers run from: a private copy of the current build (see test/stress/support.ts), so a `next build` elsewhere in the checkout cannot break a run. */
let appDir = "";
function ensureBuild(): void {
  appDir ||= prepareAppDir();
}

type Server = { url: string; proc: ChildProcess; dataDir: string; env: NodeJS.ProcessEnv; log: string[] };

/** A `next start` server; a second instance on one PostgreSQL shares the first's data dir (its signing key file). */
async function startServer(extra: Record<string, string>, sharedDataDir?: string): Promise<Server> {
  const port = await freePort();
  const dataDir = sharedDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-http-"));
  const lines: string[] = [];
  const env = childEnv(dataDir, { LEDGERLINE_DEMO: "off", LEDGERLINE_RATE_LIMIT: "0", ...extra });
  const proc = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: appDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onData = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 400) lines.splice(0, 200);
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const server = { url: `http://127.0.0.1:${port}`, proc, dataDir, env, log: lines };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${lines.join("\n")}`);
    try {
      const r = await fetch(`${server.url}/api/v1/keys`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`server not ready after 90 s:\n${lines.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    const exited = new Promise<void>((r) => s.proc.once("exit", () => r()));
    s.proc.kill("SIGTERM");
    const timer = setTimeout(() => s.proc.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (s.dataDir) fs.rmSync(s.dataDir, { recursive: true, force: true });
}

function runCli(env: NodeJS.ProcessEnv, args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

type IngestRun = {
  dialect: string;
  batch: number;
  clients: number;
  instances: number;
  /** Requests answered 503 (load shed) and sent again. */
  shed?: number;
  events: number;
  perS: number;
  rawPerS: number;
  p50: number;
  p99: number;
  verifyOk: boolean;
  bytesPerM: number | null;
};

/** HTTP ingest of `events` in batches of `batch` from `clients` clients over `instances` servers, every response checked, then verify-log. */
async function benchHttp(
  dialect: "sqlite" | "postgres",
  events: Array<NormalizedEvent & { id: string }>,
  spec: IngestSpec,
  databaseUrl?: string,
): Promise<Omit<IngestRun, "rawPerS">> {
  const { batch, clients, instances } = spec;
  const server = await startServer(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const others: Server[] = [];
  try {
    for (let i = 1; i < instances; i++)
      others.push(await startServer(databaseUrl ? { DATABASE_URL: databaseUrl } : {}, server.dataDir));
    const urls = [server, ...others].map((s) => `${s.url}/api/v1/events`);
    const k = runCli(server.env, ["keys", "create", "--source", SOURCE, "--description", "bench", "--json"]);
    if (k.status !== 0) throw new Error(`keys create failed (${k.status}): ${k.stderr}${k.stdout}`);
    const headers = {
      authorization: `Bearer ${(JSON.parse(k.stdout) as { key: string }).key}`,
      "content-type": "application/json",
    };
    // Warm-up that stores nothing (an invalid batch → 422): loads the route, key lookup, parser and validator.
    for (let i = 0; i < 3 * urls.length; i++) {
      const b = await fetch(urls[i % urls.length]!, {
        method: "POST",
        headers,
        body: JSON.stringify([{ ...events[0], outcome: "nope" }]),
      });
      await b.arrayBuffer();
    }
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += batch)
      bodies.push(JSON.stringify(batch === 1 ? events[i] : events.slice(i, i + batch)));
    const latencies: number[] = [];
    let next = 0;
    let acked = 0;
    let shed = 0;
    let failure: Error | null = null;
    const worker = async (_: unknown, w: number) => {
      const url = urls[w % urls.length]!;
      while (!failure && next < bodies.length) {
        const i = next++;
        const s = performance.now();
        let res = await fetch(url, { method: "POST", headers, body: bodies[i] });
        // Shed (503 + Retry-After): a real sender waits and sends again; counted, nothing was stored.
        while (res.status === 503) {
          await res.arrayBuffer();
          shed++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get("retry-after") ?? 1) * 1000));
          res = await fetch(url, { method: "POST", headers, body: bodies[i] });
        }
        const text = await res.text();
        latencies.push(performance.now() - s);
        if (res.status !== 201) {
          failure ??= new Error(
            `${dialect} batch ${batch} × ${clients} clients #${i}: HTTP ${res.status}: ${text.slice(0, 300)}`,
          );
          return;
        }
        acked += (JSON.parse(text) as { accepted: unknown[] }).accepted.length;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, worker));
    const ms = performance.now() - t0;
    if (failure) throw failure;
    latencies.sort((a, b) => a - b);
    const v = runCli(server.env, ["verify-log", "--json"]);
    const verifyOk = v.status === 0 && (JSON.parse(v.stdout) as { ok: boolean }).ok === true;
    let bytesPerM: number | null = null;
    if (dialect === "sqlite") {
      const file = path.join(server.dataDir, "ledgerline.db");
      const side = new Database(file);
      side.pragma("wal_checkpoint(TRUNCATE)");
      side.close();
      bytesPerM = (dbBytes(file) / acked) * 1e6;
    }
    return {
      dialect,
      batch,
      clients,
      instances,
      shed,
      events: acked,
      perS: (acked / ms) * 1000,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      verifyOk,
      bytesPerM,
    };
  } catch (e) {
    console.error(`--- server log (last 30 lines) ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    for (const o of others) await stopServer({ ...o, dataDir: "" });
    await stopServer(server);
  }
}

/**
 * The issue-16 target a row is measured against, if it has one: SQLite batch 500
 * and PostgreSQL batch 100 (4 clients) ≥ 50 % of raw; single events from 64
 * clients ≥ 4× the raw single-row commit rate; two instances on one PostgreSQL
 * ≥ 1.3× one instance with the same clients and batch (the row before it).
 */
function ingestTarget(
  i: Omit<IngestRun, "rawPerS">,
  rawPerS: number,
  before: IngestRun[],
): { ratio: number; target: number; text: string } | null {
  const show = (ratio: number, target: number, what: string) => ({
    ratio,
    target,
    text: `${what} ${fmt(ratio, 2)}× (target ≥ ${fmt(target, 2)}×) ${ratio >= target ? "met" : "MISSED"}`,
  });
  if (i.instances === 2) {
    const one = before.find(
      (o) => o.dialect === i.dialect && o.instances === 1 && o.batch === i.batch && o.clients === i.clients,
    );
    return one ? show(i.perS / one.perS, 1.3, "vs one instance") : null;
  }
  if (i.batch === 1 && i.clients >= 64) return show(i.perS / rawPerS, 4, "vs raw single-row commits");
  if (i.clients !== CONCURRENCY) return null;
  if ((i.dialect === "sqlite" && i.batch === 500) || (i.dialect === "postgres" && i.batch === 100))
    return show(i.perS / rawPerS, 0.5, "vs raw");
  return null;
}

/** Issue 16: ≤ 10 s per 100 k entries, peak RSS ≤ 300 MB, whatever the size. */
function bundleTargets(b: { entries: number; seconds: number; peakRssMiB: number }): string {
  const per100k = (b.seconds / b.entries) * 100_000;
  const mb = (b.peakRssMiB * 1024 * 1024) / 1e6;
  return `${fmt(per100k, 1)} s per 100 k (target ≤ 10) ${per100k <= 10 ? "met" : "MISSED"}; ${fmt(mb)} MB (target ≤ 300) ${mb <= 300 ? "met" : "MISSED"}`;
}

// -------------------------------------------------------------- explorer ---

type QueryFigures = { name: string; p50: number; p95: number; rows: number };
type ExplorerRun = {
  store: string;
  entries: number;
  queries: QueryFigures[];
  plans: Array<{ name: string; plan: string }>;
  indexes: string[];
  bytesPerM: number;
  trace?: { p50: number; p95: number; traces: number } | { skipped: string };
};

const DAY = 86_400_000;

function explorerFilters(ds: Dataset): { page: (i: number) => EventFilter; day: EventFilter } {
  const to = ds.meta.to;
  const from = new Date(Date.parse(to) - DAY).toISOString();
  return {
    page: (i) => ({ requester: ds.meta.topRequesters[i % ds.meta.topRequesters.length]!, from, to }),
    day: { from, to },
  };
}

async function timeRuns(
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

/**
 * The SQL search.ts runs for these two queries, rebuilt for EXPLAIN: the page from the
 * same filterWhere; the histogram of a range aligned to 10-minute buckets with no other
 * filter from the entry_counts rollup (search.ts histogramRows; the sequencer keeps it).
 */
function explorerSql(filter: EventFilter, dialect: "sqlite" | "postgres", kind: "page" | "histogram") {
  const where = filterWhere(filter, dialect);
  return kind === "page"
    ? { sql: `SELECT * FROM entries WHERE ${where.sql} ORDER BY ts DESC, seq DESC LIMIT 101`, params: where.params }
    : {
        sql: "SELECT substr(bucket, 1, 13) AS b, outcome, SUM(n) AS n FROM entry_counts WHERE bucket >= ? AND bucket < ? GROUP BY 1, 2",
        params: [filter.from!.slice(0, 15), filter.to!.slice(0, 15)],
      };
}

async function openDatasetLedger(ds: Dataset): Promise<Ledger> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGERLINE_DATA_DIR: ds.dir,
    LEDGERLINE_DEMO: "off",
    LEDGERLINE_ORIGIN: ds.meta.origin,
  };
  delete env.DATABASE_URL;
  delete env.LEDGERLINE_SIGNING_KEY;
  return openLedger(loadConfig(env));
}

async function benchTraceOf(ledger: Ledger, ids: string[]): Promise<ExplorerRun["trace"]> {
  if (!fs.existsSync(path.join(import.meta.dirname, "bench/trace.ts")))
    return { skipped: "scripts/bench/trace.ts is missing" };
  if (!ids.length) return { skipped: "no 50-entry trace in this log" };
  const { benchTrace } = (await import("./bench/trace.ts")) as {
    benchTrace: (l: Ledger, ids: string[], runs: number) => Promise<{ p50: number; p95: number }>;
  };
  const r = await benchTrace(ledger, ids.slice(0, 20), QUERY_RUNS * 2);
  return { ...r, traces: Math.min(ids.length, 20) };
}

async function benchExplorerSqlite(ds: Dataset): Promise<ExplorerRun> {
  const ledger = await openDatasetLedger(ds);
  try {
    const f = explorerFilters(ds);
    const page = await timeRuns(
      QUERY_RUNS,
      async (i) => (await queryEvents(ledger, f.page(i), { sort: "-ts", limit: 100 })).items.length,
    );
    const hist = await timeRuns(QUERY_RUNS, async () => (await queryHistogram(ledger, f.day)).total);
    const trace = await benchTraceOf(ledger, ds.meta.trace50);
    const raw = new Database(ds.file, { readonly: true });
    const plan = (kind: "page" | "histogram", filter: EventFilter) => {
      const q = explorerSql(filter, "sqlite", kind);
      return (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as never[])) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("\n");
    };
    const plans = [
      { name: "page: requester + 24 h, newest first", plan: plan("page", f.page(0)) },
      { name: "histogram: 24 h by hour × outcome (from the entry_counts rollup)", plan: plan("histogram", f.day) },
    ];
    const indexes = (
      raw
        .prepare(
          "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name",
        )
        .all() as Array<{ sql: string }>
    ).map((r) => r.sql);
    raw.close();
    return {
      store: "SQLite",
      entries: ds.meta.entries,
      queries: [
        { name: "page (requester + 24 h, 100 rows)", ...page },
        { name: "histogram (24 h; rows = entries counted)", ...hist },
      ],
      plans,
      indexes: ["entries (seq) — INTEGER PRIMARY KEY (rowid)", ...indexes],
      bytesPerM: (dbBytes(ds.file) / ds.meta.entries) * 1e6,
      trace,
    };
  } finally {
    await ledger.close();
  }
}

/** Copies the entries of a generated log into a fresh, migrated PostgreSQL database (indexes built after the load). */
async function loadIntoPostgres(ds: Dataset, url: string): Promise<number> {
  const driver = openDriver({ dialect: "postgres", url });
  await migrate(driver);
  await driver.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    const idx = (
      await c.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'entries' AND indexname NOT LIKE '%pkey'",
      )
    ).rows as Array<{ indexname: string; indexdef: string }>;
    for (const i of idx) await c.query(`DROP INDEX ${i.indexname}`);
    const src = new Database(ds.file, { readonly: true });
    const cols = ENTRY_COLUMNS.join(", ");
    const per = 2000;
    let chunk: unknown[][] = [];
    let done = 0;
    const flush = async () => {
      if (!chunk.length) return;
      const values = chunk.map((r, k) => `(${r.map((_, j) => `$${k * r.length + j + 1}`).join(", ")})`).join(", ");
      await c.query(`INSERT INTO entries (${cols}) VALUES ${values}`, chunk.flat());
      done += chunk.length;
      chunk = [];
      if (done % 200_000 === 0) log(`    PostgreSQL: loaded ${fmt(done)} / ${fmt(ds.meta.entries)}`);
    };
    await c.query("BEGIN");
    for (const r of src.prepare(`SELECT ${cols} FROM entries ORDER BY seq`).raw().iterate() as Iterable<unknown[]>) {
      chunk.push(r);
      if (chunk.length === per) await flush();
    }
    await flush();
    await c.query("COMMIT");
    src.close();
    for (const i of idx) await c.query(i.indexdef);
    // The histogram rollup the sequencer keeps in the append transaction (migration 0004).
    await c.query("DELETE FROM entry_counts");
    await c.query(
      "INSERT INTO entry_counts (bucket, outcome, n) SELECT substr(ts, 1, 15), outcome, COUNT(*) FROM entries GROUP BY 1, 2",
    );
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
  return performance.now() - t0;
}

type Timing = { p50: number; p95: number; rows: number };
async function benchExplorerPostgres(
  ds: Dataset,
  cluster: PgCluster,
): Promise<
  ExplorerRun & {
    loadMs: number;
    withoutRequesterIndex: Timing & { plan: string; rare?: { requester: string; with: Timing; without: Timing } };
  }
> {
  const url = await createDatabase(cluster, `explorer_${ds.meta.entries}`);
  log(`    loading ${fmt(ds.meta.entries)} entries into PostgreSQL…`);
  const loadMs = await loadIntoPostgres(ds, url);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-pgx-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGERLINE_DATA_DIR: dataDir,
    LEDGERLINE_DEMO: "off",
    LEDGERLINE_ORIGIN: ds.meta.origin,
    DATABASE_URL: url,
  };
  delete env.LEDGERLINE_SIGNING_KEY;
  const ledger = await openLedger(loadConfig(env));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const f = explorerFilters(ds);
    const page = await timeRuns(
      QUERY_RUNS,
      async (i) => (await queryEvents(ledger, f.page(i), { sort: "-ts", limit: 100 })).items.length,
    );
    const hist = await timeRuns(QUERY_RUNS, async () => (await queryHistogram(ledger, f.day)).total);
    const trace = await benchTraceOf(ledger, ds.meta.trace50);
    const explain = async (kind: "page" | "histogram", filter: EventFilter) => {
      const q = explorerSql(filter, "postgres", kind);
      let n = 0;
      const text = q.sql.replace(/\?/g, () => `$${++n}`);
      return (
        (await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, q.params as unknown[])).rows as Array<{
          "QUERY PLAN": string;
        }>
      )
        .map((r) => r["QUERY PLAN"])
        .join("\n");
    };
    const plans = [
      { name: "page: requester + 24 h, newest first", plan: await explain("page", f.page(0)) },
      {
        name: "histogram: 24 h by hour × outcome (from the entry_counts rollup)",
        plan: await explain("histogram", f.day),
      },
    ];
    // The least busy requester: without its own index, its page is where a walk over the day hurts.
    const rareId = (
      (await c.query("SELECT requester_id AS v FROM entries GROUP BY 1 ORDER BY COUNT(*), 1 LIMIT 1")).rows[0] as {
        v: string;
      }
    ).v;
    const rareFilter = { ...f.page(0), requester: rareId };
    const rare = await timeRuns(
      Math.min(QUERY_RUNS, 10),
      async () => (await queryEvents(ledger, rareFilter, { sort: "-ts", limit: 100 })).items.length,
    );
    // What the (requester_id, ts, seq) index buys: the same page with it dropped, inside a
    // transaction that is rolled back (PostgreSQL DDL is transactional).
    await c.query("BEGIN");
    await c.query("DROP INDEX entries_requester_ts");
    const tx = {
      db: {
        dialect: "postgres" as const,
        all: async (sql: string, params: unknown[]) => {
          let n = 0;
          return (
            await c.query(
              sql.replace(/\?/g, () => `$${++n}`),
              params,
            )
          ).rows;
        },
      },
    };
    const without = await timeRuns(
      Math.min(QUERY_RUNS, 10),
      async (i) => (await queryEvents(tx as unknown as Ledger, f.page(i), { sort: "-ts", limit: 100 })).items.length,
    );
    const withoutPlan = await explain("page", f.page(0));
    const rareWithout = await timeRuns(
      Math.min(QUERY_RUNS, 10),
      async () => (await queryEvents(tx as unknown as Ledger, rareFilter, { sort: "-ts", limit: 100 })).items.length,
    );
    await c.query("ROLLBACK");
    const indexes = (
      (await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'entries' ORDER BY indexname")).rows as Array<{
        indexdef: string;
      }>
    ).map((r) => r.indexdef);
    const size = Number((await c.query("SELECT pg_total_relation_size('entries') AS n")).rows[0].n);
    return {
      store: "PostgreSQL",
      entries: ds.meta.entries,
      queries: [
        { name: "page (requester + 24 h, 100 rows)", ...page },
        { name: "histogram (24 h; rows = entries counted)", ...hist },
      ],
      plans,
      indexes,
      bytesPerM: (size / ds.meta.entries) * 1e6,
      trace,
      loadMs,
      withoutRequesterIndex: {
        ...without,
        plan: withoutPlan,
        rare: { requester: rareId, with: rare, without: rareWithout },
      },
    };
  } finally {
    await c.end();
    await ledger.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ----------------------------------------------------------------- main ---

type Results = {
  machine: Machine;
  size: string;
  ingest: IngestRun[];
  explorer: Array<Awaited<ReturnType<typeof benchExplorerSqlite>>>;
  explorerPg: Awaited<ReturnType<typeof benchExplorerPostgres>> | null;
  verify: { entries: number; perS: number; ms: number; ok: boolean; hashPerS: number } | null;
  bundle: { entries: number; seconds: number; peakRssMiB: number; bytes: number } | { skipped: string } | null;
  bundleLarge?: { entries: number; seconds: number; peakRssMiB: number; bytes: number } | null;
  wallS: number;
};

function lastStress(): Record<string, unknown> | null {
  const file = path.join(cacheDir(), "stress-report-full.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : null;
}

type Machine = { cpu: string; cores: number; memGiB: number; node: string; platform: string; date: string };

async function main(): Promise<number> {
  const wall0 = performance.now();
  const cpus = os.cpus();
  const machine: Machine = {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}`);
  log(
    `size: ${QUICK ? "quick" : sizeArg} — generated logs of ${DATASETS.map((n) => fmt(n)).join(" and ")} entries; ingest ${INGEST.map((r) => `${fmt(r.events)}×${r.batch}`).join(", ")}`,
  );
  const problems: string[] = [];

  // Generated logs first (cached after the first run).
  const datasets: Dataset[] = [];
  for (const n of DATASETS) {
    const ds = await ensureDataset(n, (m) => log(`    ${m}`));
    log(`log of ${fmt(n)} entries ${ds.reused ? "reused" : "generated"}: ${ds.file} (${mib(dbBytes(ds.file))})`);
    datasets.push(ds);
  }

  let cluster: PgCluster | null = null;
  const ingest: IngestRun[] = [];
  const explorer: Array<Awaited<ReturnType<typeof benchExplorerSqlite>>> = [];
  let explorerPg: Awaited<ReturnType<typeof benchExplorerPostgres>> | null = null;
  let verify: { entries: number; perS: number; ms: number; ok: boolean; hashPerS: number } | null = null;
  let bundle: { entries: number; seconds: number; peakRssMiB: number; bytes: number } | { skipped: string } | null =
    null;
  let bundleLarge: { entries: number; seconds: number; peakRssMiB: number; bytes: number } | null = null;
  try {
    if (!SKIP.has("pg")) cluster = await startPgCluster({ log: (m) => log(`    ${m}`) });

    // 1. ingest
    if (!SKIP.has("http")) {
      ensureBuild();
      const maxEvents = Math.max(...INGEST.map((r) => r.events));
      const events = makeEvents(maxEvents);
      const receivedAt = new Date().toISOString();
      for (const dialect of ["sqlite", "postgres"] as const) {
        if (dialect === "postgres" && !cluster) continue;
        for (const run of INGEST) {
          if (run.only && run.only !== dialect) continue;
          const evs = events.slice(0, run.events);
          const rows = evs.map((e, i) => {
            const entry = buildEntry(e, i + 1, receivedAt, SOURCE);
            return entryToRow(entry, entryLeafHash(entry));
          });
          log(
            `1. ingest ${dialect}, batches of ${run.batch}, ${run.clients} clients, ${run.instances} instance(s): ${fmt(run.events)} events over HTTP…`,
          );
          const http = await benchHttp(
            dialect,
            evs,
            run,
            dialect === "postgres"
              ? await createDatabase(cluster!, `ingest_${run.batch}_${run.clients}_${run.instances}`)
              : undefined,
          );
          let rawPerS: number;
          if (dialect === "sqlite") rawPerS = rawSqlite(rows, run.batch);
          else {
            const url = await createDatabase(cluster!, `raw_${run.batch}_${run.clients}_${run.instances}`);
            const d = openDriver({ dialect: "postgres", url });
            await migrate(d);
            await d.close();
            rawPerS = await rawPostgres(url, rows, run.batch);
          }
          const t = ingestTarget(http, rawPerS, ingest);
          ingest.push({ ...http, rawPerS });
          log(
            `    ${fmt(http.perS)} events/s over HTTP vs ${fmt(rawPerS)} rows/s raw = ${pct(http.perS / rawPerS)}; p50 ${fmt(http.p50, 1)} ms, p99 ${fmt(http.p99, 1)} ms; ${http.shed ?? 0} shed and re-sent; verify-log ${http.verifyOk ? "ok" : "FAILED"}${t ? `; ${t.text}` : ""}`,
          );
          if (!http.verifyOk) problems.push(`verify-log failed after ${dialect} batch ${run.batch}`);
        }
      }
    }

    // 2 + 3. explorer and timeline
    if (!SKIP.has("explorer")) {
      for (const ds of datasets) {
        log(`2. explorer on SQLite, ${fmt(ds.meta.entries)} entries…`);
        const r = await benchExplorerSqlite(ds);
        explorer.push(r);
        for (const q of r.queries)
          log(`    ${q.name}: p50 ${fmt(q.p50, 1)} ms, p95 ${fmt(q.p95, 1)} ms (${fmt(q.rows)} rows/total)`);
        if (r.trace && "p95" in r.trace)
          log(`    timeline (50-entry traces): p50 ${fmt(r.trace.p50, 1)} ms, p95 ${fmt(r.trace.p95, 1)} ms`);
      }
      if (cluster) {
        const ds = datasets[0]!;
        log(`2. explorer on PostgreSQL, ${fmt(ds.meta.entries)} entries…`);
        explorerPg = await benchExplorerPostgres(ds, cluster);
        for (const q of explorerPg.queries) log(`    ${q.name}: p50 ${fmt(q.p50, 1)} ms, p95 ${fmt(q.p95, 1)} ms`);
        log(
          `    page without the requester index: p50 ${fmt(explorerPg.withoutRequesterIndex.p50, 1)} ms, p95 ${fmt(explorerPg.withoutRequesterIndex.p95, 1)} ms`,
        );
      }
    }

    // 4. verification of the 1 M (or quick) log beside raw JCS + SHA-256
    if (!SKIP.has("verify")) {
      const ds = datasets[0]!;
      log(`4. full verification (verifyLog) of ${fmt(ds.meta.entries)} entries…`);
      const d = openDriver({ dialect: "sqlite", file: ds.file, url: `file:${ds.file}` });
      try {
        const t0 = performance.now();
        const r = await verifyLog(d, {
          origin: ds.meta.origin,
          verifiers: [{ name: ds.meta.keyName, publicKey: Uint8Array.from(ds.meta.publicKey) }],
        });
        const ms = performance.now() - t0;
        const sample = makeEvents(20_000).map((e, i) => buildEntry(e, i + 1, new Date().toISOString(), SOURCE));
        const hashPerS = benchHash(sample);
        verify = { entries: r.treeSize, perS: (r.treeSize / ms) * 1000, ms, ok: r.ok, hashPerS };
        log(
          `    ${fmt(verify.perS)} entries/s (${r.ok ? "ok" : `FAILED: ${r.reason}`}) vs raw JCS+SHA-256 ${fmt(hashPerS)}/s = ${pct(verify.perS / hashPerS)} (target ≥ 150 % on 2 cores) ${verify.perS / hashPerS >= 1.5 ? "met" : "MISSED"}`,
        );
        if (!r.ok) problems.push(`verifyLog of the generated log failed: ${r.reason}`);
      } finally {
        await d.close();
      }
    }

    // 5. evidence bundle of the 1 M (or quick) log
    if (!SKIP.has("bundle")) {
      if (!fs.existsSync(path.join(import.meta.dirname, "bench/bundle.ts")))
        bundle = { skipped: "scripts/bench/bundle.ts is missing" };
      else {
        const ds = datasets[0]!;
        const n = Math.min(ds.meta.entries, Number(process.env.BENCH_BUNDLE_ENTRIES ?? 100_000));
        const { benchBundle } = (await import("./bench/bundle.ts")) as {
          benchBundle: (
            l: Ledger,
            n: number,
          ) => Promise<{ entries: number; seconds: number; peakRssMiB: number; bytes: number }>;
        };
        const ledger = await openDatasetLedger(ds);
        try {
          // 100 k, and the largest bundle allowed (1 M) when the log holds it: memory must stay flat.
          for (const size of [...new Set([n, Math.min(ds.meta.entries, 1_000_000)])]) {
            log(`5. evidence bundle of ${fmt(size)} entries…`);
            const b = await benchBundle(ledger, size);
            if (size === n) bundle = b;
            else bundleLarge = b;
            log(
              `    ${fmt(b.entries)} entries in ${fmt(b.seconds, 2)} s, peak RSS ${fmt(b.peakRssMiB)} MiB, ${mib(b.bytes)}; ${bundleTargets(b)}`,
            );
          }
        } finally {
          await ledger.close();
        }
      }
    }
  } finally {
    await cluster?.stop().catch(() => undefined);
  }

  const results: Results = {
    machine,
    ingest,
    explorer,
    explorerPg,
    verify,
    bundle,
    bundleLarge,
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
    `BENCH_JSON ${JSON.stringify({ machine, size: sizeArg, ingest, explorer: explorer.map(({ plans: _p, indexes: _i, ...r }) => r), explorerPg: explorerPg && { ...explorerPg, plans: undefined, indexes: undefined }, verify, bundle, bundleLarge })}`,
  );
  for (const p of problems) console.error(`[bench] ${p}`);
  return problems.length ? 1 : 0;
}

// ------------------------------------------------------------- the doc ---

function renderDoc(r: Results & { stress: Record<string, unknown> | null }): string {
  const m = r.machine;
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(
    "Generated by `npm run bench` (scripts/bench.ts) — do not edit by hand. Every figure below was measured in one run on one machine; compare ratios, not absolutes, across machines.",
    "",
  );
  L.push("| machine | |", "|---|---|");
  L.push(
    `| CPU | ${m.cpu} × ${m.cores} cores |`,
    `| RAM | ${m.memGiB} GiB |`,
    `| Node.js | ${m.node} |`,
    `| OS | ${m.platform} |`,
    `| date | ${m.date} |`,
    `| size | ${r.size}; bench wall time ${fmt(r.wallS / 60, 1)} min |`,
    "",
  );
  L.push(
    "The machine is shared (other builds and tests run beside the bench), so absolute figures move by ±30 % between runs.",
    "",
  );

  L.push("## Ingest: HTTP beside the raw driver", "");
  L.push(
    `HTTP: \`next start\` on 127.0.0.1, ${CONCURRENCY} concurrent clients unless the row says otherwise (64 clients of single events: many senders flushing at once, served by group commit; two instances: two servers on one PostgreSQL sharing the clients), every response checked (201 with every id accepted), \`verify-log\` afterwards. Raw: the same rows inserted by the driver alone (better-sqlite3 with the app's pragmas incl. \`synchronous=FULL\`; pg with one multi-row INSERT), one transaction per batch of the same size — the price of a durable commit without validation, hashing, the tree, checkpoints and HTTP.`,
    "",
  );
  L.push(
    "| store | batch | clients × instances | events | HTTP events/s | raw rows/s | HTTP / raw | target | latency p50 | p99 | verify-log |",
    "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
  );
  for (const [n, i] of r.ingest.entries()) {
    const t = ingestTarget(i, i.rawPerS, r.ingest.slice(0, n));
    L.push(
      `| ${i.dialect} | ${i.batch} | ${i.clients ?? CONCURRENCY} × ${i.instances ?? 1} | ${fmt(i.events)} | **${fmt(i.perS)}** | ${fmt(i.rawPerS)} | ${pct(i.perS / i.rawPerS)} | ${t?.text ?? ""} | ${fmt(i.p50, 1)} ms | ${fmt(i.p99, 1)} ms | ${i.verifyOk ? "ok" : "FAILED"} |`,
    );
  }
  if (!r.ingest.length) L.push("| (skipped) | | | | | | | | | | |");
  L.push("");

  L.push("## Explorer queries", "");
  L.push(
    "Generated logs (scripts/bench/generate.ts): real entries (RFC 8785 bytes, leaf hashes, merkle_nodes, signed checkpoints) from ~200 requesters to ~500 targets over 30 days, 93 % success / 4.5 % failure / 2.5 % denied, multi-hop traces under shared correlation ids (some of exactly 50 entries). Through the server's own `queryEvents` / `queryHistogram` (lib/server/events/query.ts), warm cache, " +
      `${QUERY_RUNS} runs after 3 warm-ups; the page query cycles through the 5 busiest requesters.`,
    "",
  );
  L.push("| store | entries | query | p50 | p95 | rows |", "|---|---:|---|---:|---:|---:|");
  const all = [...r.explorer, ...(r.explorerPg ? [r.explorerPg] : [])];
  for (const e of all)
    for (const q of e.queries)
      L.push(
        `| ${e.store} | ${fmt(e.entries)} | ${q.name} | ${fmt(q.p50, 1)} ms | ${fmt(q.p95, 1)} ms | ${fmt(q.rows)} |`,
      );
  if (r.explorerPg) {
    const w = r.explorerPg.withoutRequesterIndex;
    const q = r.explorerPg.queries[0]!;
    L.push(
      `| PostgreSQL | ${fmt(r.explorerPg.entries)} | page **without** \`entries_requester_ts\` (busiest requesters) | ${fmt(w.p50, 1)} ms | ${fmt(w.p95, 1)} ms | ×${fmt(w.p50 / q.p50, 1)} p50 |`,
    );
    if (w.rare) {
      L.push(
        `| PostgreSQL | ${fmt(r.explorerPg.entries)} | page, least busy requester, with the index | ${fmt(w.rare.with.p50, 1)} ms | ${fmt(w.rare.with.p95, 1)} ms | ${fmt(w.rare.with.rows)} |`,
      );
      L.push(
        `| PostgreSQL | ${fmt(r.explorerPg.entries)} | page, least busy requester, **without** it | ${fmt(w.rare.without.p50, 1)} ms | ${fmt(w.rare.without.p95, 1)} ms | ×${fmt(w.rare.without.p50 / w.rare.with.p50, 1)} p50 |`,
      );
    }
  }
  L.push("");
  if (r.explorer.length >= 2) {
    const [a, b] = [r.explorer[0]!, r.explorer[r.explorer.length - 1]!];
    L.push(
      `Growth ${fmt(a.entries)} → ${fmt(b.entries)} entries (${fmt(b.entries / a.entries)}×): page p95 ×${fmt(b.queries[0]!.p95 / a.queries[0]!.p95, 2)}, histogram p95 ×${fmt(b.queries[1]!.p95 / a.queries[1]!.p95, 2)} — the page is one index range whatever the log's size; the 24 h histogram reads 144 buckets × outcomes of the \`entry_counts\` rollup, not the day's entries ("rows" is the number of entries it counted).`,
      "",
    );
  }
  for (const e of all) {
    L.push(`### ${e.store}, ${fmt(e.entries)} entries: plans and indexes`, "");
    for (const p of e.plans) L.push(`${p.name}:`, "", "```", p.plan, "```", "");
    if ("withoutRequesterIndex" in e)
      L.push(
        "page without `entries_requester_ts` (rolled back):",
        "",
        "```",
        (e as { withoutRequesterIndex: { plan: string } }).withoutRequesterIndex.plan,
        "```",
        "",
      );
    L.push("Indexes on `entries`:", "", "```", ...e.indexes, "```", "");
  }

  L.push("## Timeline", "");
  L.push("`benchTrace` (scripts/bench/trace.ts): `queryTrace` over traces of exactly 50 entries.", "");
  L.push("| store | entries | p50 | p95 |", "|---|---:|---:|---:|");
  for (const e of all) {
    if (!e.trace) continue;
    if ("skipped" in e.trace) L.push(`| ${e.store} | ${fmt(e.entries)} | skipped: ${e.trace.skipped} | |`);
    else L.push(`| ${e.store} | ${fmt(e.entries)} | ${fmt(e.trace.p50, 1)} ms | ${fmt(e.trace.p95, 1)} ms |`);
  }
  L.push("");

  L.push("## Verification", "");
  if (r.verify) {
    L.push(
      "| entries | verifyLog | raw JCS + SHA-256 (same run, native SHA-256, one core) | verify / raw | target | result |",
      "|---:|---:|---:|---:|---|---|",
    );
    L.push(
      `| ${fmt(r.verify.entries)} | ${fmt(r.verify.perS)} entries/s (${fmt(r.verify.ms / 1000, 1)} s) | ${fmt(r.verify.hashPerS)} /s | ${pct(r.verify.perS / r.verify.hashPerS)} | ≥ 150 % ${r.verify.perS / r.verify.hashPerS >= 1.5 ? "met" : "MISSED"} | ${r.verify.ok ? "ok" : "FAILED"} |`,
      "",
    );
  } else L.push("(skipped)", "");

  L.push("## Evidence bundle", "");
  if (!r.bundle) L.push("(skipped)", "");
  else if ("skipped" in r.bundle) L.push(`Skipped: ${r.bundle.skipped}.`, "");
  else {
    L.push(
      "Built as the server builds it: in a child process with a capped heap (lib/server/bundles/build-process.ts); peak RSS is the child's.",
      "",
    );
    L.push("| entries | build time | peak RSS | ZIP size | entries/s | targets |", "|---:|---:|---:|---:|---:|---|");
    for (const b of [r.bundle, ...(r.bundleLarge ? [r.bundleLarge] : [])])
      L.push(
        `| ${fmt(b.entries)} | ${fmt(b.seconds, 2)} s | ${fmt(b.peakRssMiB)} MiB | ${mib(b.bytes)} | ${fmt(b.entries / b.seconds)} | ${bundleTargets(b)} |`,
      );
    L.push("");
  }

  L.push("## Database size", "");
  L.push("| store | what | per million entries |", "|---|---|---:|");
  for (const e of all)
    L.push(
      `| ${e.store} | generated log of ${fmt(e.entries)} (entries + indexes${e.store === "SQLite" ? " + merkle_nodes + checkpoints, whole file" : ", `pg_total_relation_size('entries')`"}) | ${mib(e.bytesPerM)} |`,
    );
  for (const i of r.ingest)
    if (i.bytesPerM !== null && i.batch === Math.max(...r.ingest.map((x) => x.batch)))
      L.push(`| ${i.dialect} | after HTTP ingest of ${fmt(i.events)} demo-fleet events | ${mib(i.bytesPerM)} |`);
  L.push("");

  L.push("## Load, crash, faults (last `npm run test:stress`)", "");
  if (r.stress) {
    const s = r.stress as {
      date?: string;
      load?: {
        size: {
          rate: number;
          batch: number;
          sustainS: number;
          overloadFactor: number;
          overloadS: number;
          readers: number;
        };
        sustained: { eventsPerS: number; p50: number; p99: number };
        readers: { p50: number; p99: number };
        overload: { offeredEventsPerS: number; eventsPerS: number; p99: number; statuses: string };
        recoveryS: number | null;
        acknowledged: number;
        stored: number;
      };
      passed?: number;
      failed?: number;
    };
    L.push(
      `From a separate full-size stress run on ${s.date ?? "?"} (${s.passed ?? "?"} checks passed, ${s.failed ?? "?"} failed), not this bench run.`,
      "",
    );
    if (s.load) {
      const l = s.load;
      L.push("| phase | figure |", "|---|---|");
      L.push(
        `| sustained ${fmt(l.size.rate)} events/s (batches of ${l.size.batch}) for ${l.size.sustainS} s | ${fmt(l.sustained.eventsPerS)} events/s served, latency p50 ${fmt(l.sustained.p50)} ms, **p99 ${fmt(l.sustained.p99)} ms** |`,
      );
      L.push(
        `| ${l.size.readers} dashboard readers during it | p50 ${fmt(l.readers.p50)} ms, p99 ${fmt(l.readers.p99)} ms |`,
      );
      L.push(
        `| overload ${l.size.overloadFactor}× (${fmt(l.overload.offeredEventsPerS)} events/s offered) for ${l.size.overloadS} s | ${fmt(l.overload.eventsPerS)} events/s served, p99 ${fmt(l.overload.p99)} ms, statuses ${l.overload.statuses} |`,
      );
      L.push(`| recovery after the overload | ${l.recoveryS === null ? "never" : `${fmt(l.recoveryS, 1)} s`} |`);
      L.push(`| acknowledged = stored | ${fmt(l.acknowledged)} = ${fmt(l.stored)} |`, "");
    }
    const crashes = ["crash sqlite", "crash postgres"]
      .map(
        (k) =>
          (r.stress as Record<string, unknown>)[k] as
            | {
                dialect: string;
                kills: number;
                acknowledged: number;
                retried: number;
                stored: number;
                checkpoints: number;
                treeSize: number;
                verifyOk: boolean;
              }
            | undefined,
      )
      .filter((c) => c !== undefined);
    if (crashes.length) {
      L.push(
        "| crash (SIGKILL of the server's process group during ingest; one round during checkpoint signing) | kills | acknowledged | re-sent unacknowledged | stored (each id once) | checkpoints | verify-log |",
        "|---|---:|---:|---:|---:|---:|---|",
      );
      for (const c of crashes)
        L.push(
          `| ${c.dialect} | ${c.kills} | ${fmt(c.acknowledged)} | ${fmt(c.retried)} | ${fmt(c.stored)} | ${fmt(c.checkpoints)} | ${c.verifyOk ? "ok" : "FAILED"} |`,
        );
      L.push("");
    }
    const checks =
      (r.stress as { checks?: Record<string, { passed: number; failed: number; failures?: string[] }> }).checks ?? {};
    const failures = Object.entries(checks).flatMap(([suite, c]) => (c.failures ?? []).map((f) => `${suite}: ${f}`));
    if (Object.keys(checks).length) {
      L.push("| suite | checks passed | failed |", "|---|---:|---:|");
      for (const [suite, c] of Object.entries(checks)) L.push(`| ${suite} | ${c.passed} | ${c.failed} |`);
      L.push("");
    }
    if (failures.length)
      L.push(
        "Failed checks (open problems, not test defects):",
        "",
        ...failures.map((f) => `- ${f.replace(/\|/g, "\\|")}`),
        "",
      );
  } else L.push("No full-size stress report on this machine yet: `npm run test:stress` writes one.", "");
  return `${L.join("\n")}\n`;
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
