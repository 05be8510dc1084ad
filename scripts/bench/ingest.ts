// Section 1 of the bench: HTTP ingest against a real `next start` beside raw driver
// inserts of the same rows; and the demo-fleet events every section that ingests uses.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { entryLeafHash } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { openSqlite } from "@/lib/server/db/driver.ts";
import { migrate } from "@/lib/server/db/migrate.ts";
import { openDriver, type Param } from "@/lib/server/db/driver.ts";
import { demoEvents } from "@/lib/server/runtime/demo-seed.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow } from "@/lib/server/ledger/entry.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { createDatabase, type PgCluster } from "../../test/support/pg-cluster.ts";
import { freePort } from "../../test/support/free-port.ts";
import { isStaleSocket, ensureBuild as prepareAppDir } from "../../test/stress/support.ts";
import { INGEST, SOURCE, childEnv, cli, fmt, log, nextBin, pct, percentile, root, type IngestSpec } from "./config.ts";
import { ingestTarget } from "./targets.ts";

export function makeEvents(n: number): Array<NormalizedEvent & { id: string }> {
  const out: NormalizedEvent[] = [];
  for (let seed = 20261127, count = Math.ceil(n / 2) + 100; out.length < n; seed++) {
    for (const list of demoEvents(count, Date.now(), 7, seed).values()) out.push(...list);
  }
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const events = out.slice(0, n) as Array<NormalizedEvent & { id: string }>;
  for (const [i, e] of events.entries()) e.id = `bench-${i}`;
  return events;
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

export function dbBytes(file: string): number {
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

/**
 * Raw PostgreSQL inserts of `rows` into a migrated database, `batch` per transaction, through the
 * driver's own insertMany (one unnested INSERT: the statement the sequencer sends) — the price of
 * a durable commit of the rows without anything else the server does.
 */
async function rawPostgres(url: string, rows: unknown[][], batch: number): Promise<number> {
  const d = openDriver({ dialect: "postgres", url });
  try {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) {
      const chunk = rows.slice(i, i + batch) as Param[][];
      await d.writeTransaction((tx) => tx.insertMany("entries", [...ENTRY_COLUMNS], chunk));
    }
    return (rows.length / (performance.now() - t0)) * 1000;
  } finally {
    await d.close();
  }
}

// --------------------------------------------------------- HTTP servers ---

/** The app dir servers run from: a private copy of the current build (see test/stress/support.ts), so a `next build` elsewhere in the checkout cannot break a run. */
let appDir = "";
function ensureBuild(): void {
  appDir ||= prepareAppDir();
}

/**
 * BENCH_PROFILE=<dir>: each server writes V8 CPU profiles (its main thread and every worker
 * thread) into <dir>/server-N; `npm run bench:profile -- <dir>` summarises them. Off by default:
 * the profiler costs a few per cent.
 */
let profiled = 0;
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return [];
  const out = path.resolve(dir, `server-${++profiled}`);
  fs.mkdirSync(out, { recursive: true });
  // Node refuses --cpu-prof in NODE_OPTIONS; worker threads inherit it from the process's argv.
  return ["--cpu-prof", `--cpu-prof-dir=${out}`];
}

type Server = { url: string; proc: ChildProcess; dataDir: string; env: NodeJS.ProcessEnv; log: string[] };

/** A `next start` server; a second instance on one PostgreSQL shares the first's data dir (its signing key file). */
async function startServer(extra: Record<string, string>, sharedDataDir?: string): Promise<Server> {
  const port = await freePort();
  const dataDir = sharedDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-http-"));
  const lines: string[] = [];
  const env = childEnv(dataDir, { LEDGERLINE_DEMO: "off", LEDGERLINE_RATE_LIMIT: "0", ...extra });
  const proc = spawn(process.execPath, [...profileArgs(), nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
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

/**
 * One warm-up POST. runCli blocks this process's event loop (spawnSync) for seconds, long
 * enough for the server to close the idle keep-alive socket the readiness probe left in
 * the pool; undici then fails the first POST with "other side closed" (it does not retry
 * a POST). A warm-up may simply be sent again on a fresh connection.
 */
async function warmUp(url: string, headers: Record<string, string>, body: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await (await fetch(url, { method: "POST", headers, body })).arrayBuffer();
      return;
    } catch (e) {
      if (!isStaleSocket(e) || attempt >= 3) throw e;
    }
  }
}

export type IngestRun = {
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
  /** Single events × many clients: requests/s of the same requests answered 401 (httpFloor). */
  floorPerS?: number;
};

type Sent = { acked: number; shed: number; ms: number; latencies: number[] };

/**
 * `bodies` POSTed by `clients` concurrent clients spread over `urls`, every answer
 * checked (201). A shed request (503 + Retry-After) is sent again after the wait,
 * as a real sender would, and counted: nothing of it was stored.
 */
async function sendAll(
  urls: string[],
  headers: Record<string, string>,
  bodies: string[],
  clients: number,
  expectStatus = 201,
) {
  const r: Sent = { acked: 0, shed: 0, ms: 0, latencies: [] };
  let next = 0;
  let failure: Error | null = null;
  const client = async (_: unknown, w: number) => {
    const url = urls[w % urls.length]!;
    while (!failure && next < bodies.length) {
      const i = next++;
      const s = performance.now();
      let res = await fetch(url, { method: "POST", headers, body: bodies[i] });
      while (res.status === 503) {
        await res.arrayBuffer();
        r.shed++;
        await new Promise((ok) => setTimeout(ok, Number(res.headers.get("retry-after") ?? 1) * 1000));
        res = await fetch(url, { method: "POST", headers, body: bodies[i] });
      }
      const text = await res.text();
      r.latencies.push(performance.now() - s);
      if (res.status !== expectStatus) {
        failure ??= new Error(`request #${i} × ${clients} clients: HTTP ${res.status}: ${text.slice(0, 300)}`);
        return;
      }
      r.acked += expectStatus === 201 ? (JSON.parse(text) as { accepted: unknown[] }).accepted.length : 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  r.ms = performance.now() - t0;
  if (failure) throw failure;
  r.latencies.sort((x, y) => x - y);
  return r;
}

/** Bytes per million entries of a server's SQLite file (WAL folded in first); null on PostgreSQL. */
function sqliteBytesPerM(server: Server, entries: number): number | null {
  if (server.env.DATABASE_URL) return null;
  const file = path.join(server.dataDir, "ledgerline.db");
  const side = new Database(file);
  side.pragma("wal_checkpoint(TRUNCATE)");
  side.close();
  return (dbBytes(file) / entries) * 1e6;
}

/**
 * The same requests with a key no one issued: each is answered 401 after the route and one key
 * lookup — no body parsing, validation, hashing or commit. Its rate is what the HTTP stack (Next.js
 * and the clients, on the same cores) allows at all: the ceiling of single-event ingest here.
 */
async function httpFloor(urls: string[], bodies: string[], clients: number): Promise<number> {
  const headers = {
    authorization: `Bearer llk_${"0".repeat(12)}_${"x".repeat(43)}`,
    "content-type": "application/json",
  };
  const sent = await sendAll(urls, headers, bodies, clients, 401);
  return (sent.acked / sent.ms) * 1000;
}

/** HTTP ingest of `events` in batches of `batch` from `clients` clients over `instances` servers, every response checked, then verify-log. */
async function benchHttp(
  dialect: "sqlite" | "postgres",
  events: Array<NormalizedEvent & { id: string }>,
  spec: IngestSpec,
  databaseUrl?: string,
): Promise<Omit<IngestRun, "rawPerS">> {
  const { batch, clients, instances } = spec;
  const extra: Record<string, string> = databaseUrl ? { DATABASE_URL: databaseUrl } : {};
  const server = await startServer(extra);
  const others: Server[] = [];
  try {
    for (let i = 1; i < instances; i++) others.push(await startServer(extra, server.dataDir));
    const urls = [server, ...others].map((s) => `${s.url}/api/v1/events`);
    const k = runCli(server.env, ["keys", "create", "--source", SOURCE, "--description", "bench", "--json"]);
    if (k.status !== 0) throw new Error(`keys create failed (${k.status}): ${k.stderr}${k.stdout}`);
    const headers = {
      authorization: `Bearer ${(JSON.parse(k.stdout) as { key: string }).key}`,
      "content-type": "application/json",
    };
    // Warm-up that stores nothing (an invalid batch → 422): loads the route, key lookup, parser and validator.
    for (let i = 0; i < 3 * urls.length; i++)
      await warmUp(urls[i % urls.length]!, headers, JSON.stringify([{ ...events[0], outcome: "nope" }]));
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += batch)
      bodies.push(JSON.stringify(batch === 1 ? events[i] : events.slice(i, i + batch)));
    const sent = await sendAll(urls, headers, bodies, clients);
    const floorPerS = batch === 1 && clients >= 64 ? await httpFloor(urls, bodies, clients) : undefined;
    const v = runCli(server.env, ["verify-log", "--json"]);
    const verifyOk = (v.status === 0 || v.status === 3) && (JSON.parse(v.stdout) as { ok: boolean }).ok === true;
    return {
      dialect,
      batch,
      clients,
      instances,
      shed: sent.shed,
      events: sent.acked,
      perS: (sent.acked / sent.ms) * 1000,
      p50: percentile(sent.latencies, 50),
      p99: percentile(sent.latencies, 99),
      verifyOk,
      bytesPerM: sqliteBytesPerM(server, sent.acked),
      floorPerS,
    };
  } catch (e) {
    console.error(`--- server log (last 30 lines) ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    for (const o of others) await stopServer({ ...o, dataDir: "" });
    await stopServer(server);
  }
}

/** Section 1: every INGEST run over HTTP on each store, beside the raw insert rate of the same rows. */
export async function benchIngest(cluster: PgCluster | null, problems: string[]): Promise<IngestRun[]> {
  ensureBuild();
  const ingest: IngestRun[] = [];
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
        return entryToRow(entry, entryLeafHash(entry, nodeHasher));
      });
      log(
        `1. ingest ${dialect}, batches of ${run.batch}, ${run.clients} clients, ${run.instances} instance(s): ${fmt(run.events)} events over HTTP…`,
      );
      const name = `${run.batch}_${run.clients}_${run.instances}`;
      const http = await benchHttp(
        dialect,
        evs,
        run,
        dialect === "postgres" ? await createDatabase(cluster!, `ingest_${name}`) : undefined,
      );
      const rawPerS =
        dialect === "sqlite" ? rawSqlite(rows, run.batch) : await rawPostgresRun(cluster!, rows, run.batch, name);
      const t = ingestTarget(http, rawPerS, ingest);
      ingest.push({ ...http, rawPerS });
      log(
        `    ${fmt(http.perS)} events/s over HTTP vs ${fmt(rawPerS)} rows/s raw = ${pct(http.perS / rawPerS)}; p50 ${fmt(http.p50, 1)} ms, p99 ${fmt(http.p99, 1)} ms; ${http.shed ?? 0} shed and re-sent; verify-log ${http.verifyOk ? "ok" : "FAILED"}${t ? `; ${t.text}` : ""}`,
      );
      if (http.floorPerS)
        log(`    the HTTP floor: the same requests answered 401 (no ingest work): ${fmt(http.floorPerS)} requests/s`);
      if (!http.verifyOk) problems.push(`verify-log failed after ${dialect} batch ${run.batch}`);
    }
  }
  return ingest;
}

/** The raw PostgreSQL rate, into a database of its own migrated first. */
async function rawPostgresRun(cluster: PgCluster, rows: unknown[][], batch: number, name: string): Promise<number> {
  const url = await createDatabase(cluster, `raw_${name}`);
  const d = openDriver({ dialect: "postgres", url });
  await migrate(d);
  await d.close();
  return rawPostgres(url, rows, batch);
}
