// Section 1 of the bench: HTTP ingest against a real `next start` beside raw driver
// inserts of the same rows; and the demo-fleet events every section that ingests uses.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { entryLeafHash } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { openSqlite } from "@/lib/server/db/driver.ts";
import { migrate } from "@/lib/server/db/migrate.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { demoEvents } from "@/lib/server/runtime/demo-seed.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow } from "@/lib/server/ledger/entry.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { createDatabase, type PgCluster } from "../../test/support/pg-cluster.ts";
import { freePort } from "../../test/support/free-port.ts";
import { isStaleSocket, ensureBuild as prepareAppDir } from "../../test/stress/support.ts";
import { CONCURRENCY, INGEST, SOURCE, childEnv, cli, fmt, log, nextBin, pct, percentile, root } from "./config.ts";

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

async function startServer(extra: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-http-"));
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
  fs.rmSync(s.dataDir, { recursive: true, force: true });
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
  events: number;
  perS: number;
  rawPerS: number;
  p50: number;
  p99: number;
  verifyOk: boolean;
  bytesPerM: number | null;
};

/** HTTP ingest of `events` in batches of `batch` from CONCURRENCY clients, every response checked, then verify-log. */
async function benchHttp(
  dialect: "sqlite" | "postgres",
  events: Array<NormalizedEvent & { id: string }>,
  batch: number,
  databaseUrl?: string,
): Promise<Omit<IngestRun, "rawPerS">> {
  const server = await startServer(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  try {
    const k = runCli(server.env, ["keys", "create", "--source", SOURCE, "--description", "bench", "--json"]);
    if (k.status !== 0) throw new Error(`keys create failed (${k.status}): ${k.stderr}${k.stdout}`);
    const headers = {
      authorization: `Bearer ${(JSON.parse(k.stdout) as { key: string }).key}`,
      "content-type": "application/json",
    };
    const url = `${server.url}/api/v1/events`;
    // Warm-up that stores nothing (an invalid batch → 422): loads the route, key lookup, parser and validator.
    for (let i = 0; i < 3; i++) await warmUp(url, headers, JSON.stringify([{ ...events[0], outcome: "nope" }]));
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += batch)
      bodies.push(JSON.stringify(batch === 1 ? events[i] : events.slice(i, i + batch)));
    const latencies: number[] = [];
    let next = 0;
    let acked = 0;
    let failure: Error | null = null;
    const worker = async () => {
      while (!failure && next < bodies.length) {
        const i = next++;
        const s = performance.now();
        const res = await fetch(url, { method: "POST", headers, body: bodies[i] });
        const text = await res.text();
        latencies.push(performance.now() - s);
        if (res.status !== 201) {
          failure ??= new Error(`${dialect} batch ${batch} #${i}: HTTP ${res.status}: ${text.slice(0, 300)}`);
          return;
        }
        acked += (JSON.parse(text) as { accepted: unknown[] }).accepted.length;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const ms = performance.now() - t0;
    if (failure) throw failure;
    latencies.sort((a, b) => a - b);
    const v = runCli(server.env, ["verify-log", "--json"]);
    const verifyOk = (v.status === 0 || v.status === 3) && (JSON.parse(v.stdout) as { ok: boolean }).ok === true;
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
      const evs = events.slice(0, run.events);
      const rows = evs.map((e, i) => {
        const entry = buildEntry(e, i + 1, receivedAt, SOURCE);
        return entryToRow(entry, entryLeafHash(entry, nodeHasher));
      });
      log(`1. ingest ${dialect}, batches of ${run.batch}: ${fmt(run.events)} events over HTTP…`);
      const http = await benchHttp(
        dialect,
        evs,
        run.batch,
        dialect === "postgres" ? await createDatabase(cluster!, `ingest_${run.batch}`) : undefined,
      );
      const rawPerS =
        dialect === "sqlite" ? rawSqlite(rows, run.batch) : await rawPostgresRun(cluster!, rows, run.batch);
      ingest.push({ ...http, rawPerS });
      log(
        `    ${fmt(http.perS)} events/s over HTTP vs ${fmt(rawPerS)} rows/s raw = ${pct(http.perS / rawPerS)}; p50 ${fmt(http.p50, 1)} ms, p99 ${fmt(http.p99, 1)} ms; verify-log ${http.verifyOk ? "ok" : "FAILED"}`,
      );
      if (!http.verifyOk) problems.push(`verify-log failed after ${dialect} batch ${run.batch}`);
    }
  }
  return ingest;
}

/** The raw PostgreSQL rate, into a database of its own migrated first. */
async function rawPostgresRun(cluster: PgCluster, rows: unknown[][], batch: number): Promise<number> {
  const url = await createDatabase(cluster, `raw_${batch}`);
  const d = openDriver({ dialect: "postgres", url });
  await migrate(d);
  await d.close();
  return rawPostgres(url, rows, batch);
}
