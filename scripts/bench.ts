// npm run bench — ingest throughput figures, all in one run on one machine:
//   1. JCS + SHA-256 leaf hashes per second (lib/core entryLeafHash), one core;
//   2. raw better-sqlite3 inserts per second of the same rows into a fresh file
//      with the real schema and the app's pragmas (500-row transactions);
//   3. HTTP ingest per second against a real `next start` on SQLite (batches of
//      500, BENCH_CONCURRENCY clients), then `ledgerline verify-log` on its data;
//   4. full verification (verifyLog) of a directly built store of
//      BENCH_VERIFY_ENTRIES (1 000 000) entries, beside the JCS+SHA-256 rate;
//   5. ratios against the targets, DB bytes per million entries, the machine.
// A benchmark, not a test: it prints targets beside figures and never fails on
// them (exit 1 only if something broke: a non-201, a failed verify, a crash).
// Talks to 127.0.0.1 only. Env: BENCH_EVENTS (100000), BENCH_CONCURRENCY (4),
// BENCH_SERVER_NODE_ARGS (space-separated node flags for the server process, for
// profiling, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; NODE_OPTIONS refuses --cpu-prof),
// BENCH_REBUILD=1 (run `next build` even when .next exists; by default it builds
// only when .next/BUILD_ID is missing and warns when the build is older than the sources).
// LEDGERLINE_* variables set here (other than LEDGERLINE_DATA_DIR) reach the server.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { CompactRange, entryLeafHash, formatCheckpoint, generateSigningKey, keyId, signNote, toHex, verifierKeyString } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { openSqlite } from "@/lib/server/db/driver.ts";
import { demoEvents } from "@/lib/server/demo.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow, type Entry } from "@/lib/server/ledger/entry.ts";
import { isStoredLevel } from "@/lib/server/ledger/tree.ts";
import { verifyLog } from "@/lib/server/ledger/verify.ts";
// The server's SHA-256 (Node's native one), for every figure here: the hashing
// rate, the verifier and the HTTP server all hash with the same implementation.
import "@/lib/server/native-crypto.ts";
import { freePort } from "../test/support/free-port.ts";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const cli = path.join(root, "bin/ledgerline.mjs");

function intEnv(name: string, def: number, min: number): number {
  const v = process.env[name];
  if (v === undefined || v.trim() === "") return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got "${v}")`);
  return n;
}

const EVENTS = intEnv("BENCH_EVENTS", 100_000, 1);
const CONCURRENCY = intEnv("BENCH_CONCURRENCY", 4, 1);
const BATCH = 500;
const SOURCE = "spiffe://bench/client";
const HASH_ROUND_MS = 600;
const VERIFY_ENTRIES = intEnv("BENCH_VERIFY_ENTRIES", 1_000_000, 1);
const VERIFY_ORIGIN = "bench.ledgerline.dev/verify";

const log = (m: string) => console.log(`[bench] ${m}`);
const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const mib = (b: number) => `${fmt(b / 1024 / 1024, 1)} MiB`;

// Env for child processes: never inherit a DATABASE_URL (the run is SQLite in a tmp dir).
function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1", LEDGERLINE_DATA_DIR: dataDir, ...extra };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  return env;
}

// ---------------------------------------------------------------- events ---

/** EVENTS realistic events (the demo fleet's mix), time-ordered, each with a unique client id. */
function makeEvents(n: number): Array<NormalizedEvent & { id: string }> {
  const out: NormalizedEvent[] = [];
  for (let seed = 20261127, count = Math.ceil(n / 2) + 100; out.length < n; seed++) {
    for (const list of demoEvents(count, Date.now(), 7, seed).values()) out.push(...list);
  }
  out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const events = out.slice(0, n) as Array<NormalizedEvent & { id: string }>;
  const seen = new Set<string>();
  for (const [i, e] of events.entries()) {
    if (seen.has(e.id)) e.id = `bench-${i}`;
    seen.add(e.id);
  }
  return events;
}

// ------------------------------------------------------------- 1. hashing ---

/** Median of three rounds (each ≥ HASH_ROUND_MS, repeating the set): a neighbour's burst moves one round, not the figure. */
function benchHash(entries: Entry[]): { perS: number; rounds: number[]; hashes: number; ms: number } {
  for (let i = 0; i < Math.min(entries.length, 5000); i++) entryLeafHash(entries[i]!); // warm the JIT
  const rounds: number[] = [];
  let sink = 0;
  let hashes = 0;
  let ms = 0;
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    do {
      for (const e of entries) sink ^= entryLeafHash(e)[0]!;
      n += entries.length;
    } while (performance.now() - t0 < HASH_ROUND_MS);
    const t = performance.now() - t0;
    rounds.push((n / t) * 1000);
    hashes += n;
    ms += t;
  }
  if (sink === 256) console.log(); // keep the result alive
  const sorted = [...rounds].sort((a, b) => a - b);
  return { perS: sorted[1]!, rounds, hashes, ms };
}

// ------------------------------------------------------- 2. raw inserts ---

function applySchema(db: Database.Database) {
  const dir = path.join(root, "prisma/migrations/sqlite");
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) db.exec(fs.readFileSync(path.join(dir, f), "utf8"));
}

function benchRawInsert(rows: unknown[][]): { perS: number; ms: number; commitMs: number; commits: number; bytes: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-raw-"));
  try {
    const file = path.join(dir, "ledgerline.db");
    const db = openSqlite(file); // the app's pragmas: WAL, synchronous=FULL, cache_size, wal_autocheckpoint
    applySchema(db);
    const stmt = db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map(() => "?").join(", ")})`);
    let commitMs = 0;
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      db.exec("BEGIN IMMEDIATE");
      const end = Math.min(i + BATCH, rows.length);
      for (let j = i; j < end; j++) stmt.run(...(rows[j] as never[]));
      const c = performance.now();
      db.exec("COMMIT"); // fsync (synchronous=FULL), plus a WAL checkpoint every wal_autocheckpoint pages
      commitMs += performance.now() - c;
    }
    const ms = performance.now() - t0;
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    return { perS: (rows.length / ms) * 1000, ms, commitMs, commits: Math.ceil(rows.length / BATCH), bytes: dbBytes(file) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function dbBytes(file: string): number {
  let n = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) n += fs.statSync(f).size;
  return n;
}

// ------------------------------------------------- 4. full verification ---

/**
 * A store of `n` entries built directly (precomputed rows, 50 000 per
 * transaction, fixture pragmas), with correct leaf hashes, merkle_nodes, and one
 * checkpoint signed at the end by a key registered in signing_keys. Kept in the
 * temp dir and reused by the next run (BENCH_VERIFY_REBUILD=1 rebuilds).
 */
function verifyStore(n: number, events: Array<NormalizedEvent & { id: string }>): { file: string; buildMs: number; reused: boolean; key: { name: string; publicKey: Uint8Array } } {
  const file = path.join(os.tmpdir(), `ledgerline-bench-verify-${n}.db`);
  const done = `${file}.done`;
  if (fs.existsSync(done) && fs.existsSync(file) && process.env.BENCH_VERIFY_REBUILD !== "1") {
    const key = JSON.parse(fs.readFileSync(done, "utf8")) as { name: string; publicKey: number[] };
    return { file, buildMs: 0, reused: true, key: { name: key.name, publicKey: Uint8Array.from(key.publicKey) } };
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, done]) fs.rmSync(f, { force: true });
  const t0 = performance.now();
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF"); // a fixture: durability is not what is measured
  applySchema(db);
  const insert = db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map(() => "?").join(", ")})`);
  const insertNode = db.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)");
  const range = CompactRange.empty();
  const receivedAt = new Date().toISOString();
  const CHUNK = 50_000;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    db.transaction(() => {
      for (let i = start; i < end; i++) {
        const e = buildEntry({ ...events[i % events.length]!, id: `v-${i}` }, i + 1, receivedAt, SOURCE);
        const leaf = entryLeafHash(e);
        insert.run(...(entryToRow(e, leaf) as never[]));
        for (const node of range.append(leaf)) if (isStoredLevel(node.level)) insertNode.run(node.level, node.index, node.hash);
      }
    })();
    if (end % 200_000 === 0 || end === n) log(`    built ${fmt(end)} / ${fmt(n)} entries…`);
  }
  const k = generateSigningKey("bench.ledgerline.dev");
  const id = toHex(keyId(k.name, k.publicKey));
  const now = new Date().toISOString();
  db.prepare("INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (?, ?, ?, ?, ?)").run(id, k.name, k.publicKey, verifierKeyString(k.name, k.publicKey), now);
  const rootHash = range.root();
  const note = signNote(formatCheckpoint({ origin: VERIFY_ORIGIN, size: n, rootHash }), [{ name: k.name, seed: k.seed }]);
  db.prepare("INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)").run(n, rootHash, note, id, now);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  fs.writeFileSync(done, JSON.stringify({ name: k.name, publicKey: [...k.publicKey] }));
  return { file, buildMs: performance.now() - t0, reused: false, key: { name: k.name, publicKey: k.publicKey } };
}

type VerifyBench = { entries: number; perS: number; ms: number; ok: boolean; reason: string | null; hashPerS: number; ratio: number; buildMs: number; reused: boolean; bytes: number };

async function benchVerify(events: Array<NormalizedEvent & { id: string }>, sample: Entry[]): Promise<VerifyBench> {
  const store = verifyStore(VERIFY_ENTRIES, events);
  log(`    store ${store.reused ? "reused" : `built in ${fmt(store.buildMs / 1000, 1)} s`}: ${store.file} (${mib(dbBytes(store.file))})`);
  const { openDriver } = await import("@/lib/server/db/driver.ts");
  const db = openDriver({ dialect: "sqlite", file: store.file } as never);
  try {
    const t0 = performance.now();
    const r = await verifyLog(db, { origin: VERIFY_ORIGIN, verifiers: [store.key] });
    const ms = performance.now() - t0;
    // This machine's raw JCS+SHA-256 rate, right now, with the same (native) SHA-256.
    const hash = benchHash(sample);
    const perS = (r.treeSize / ms) * 1000;
    return { entries: r.treeSize, perS, ms, ok: r.ok && r.treeSize === VERIFY_ENTRIES, reason: r.reason, hashPerS: hash.perS, ratio: perS / hash.perS, buildMs: store.buildMs, reused: store.reused, bytes: dbBytes(store.file) };
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------- 3. HTTP run ---


/** Newest mtime (ms) of the sources a `next build` bundles for the server. */
function newestSourceMtime(): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(p)) if (f !== "node_modules" && f !== "generated") walk(path.join(p, f));
    } else if (/\.(ts|tsx|mjs|js|css|json)$/.test(p) && !/\.test\.tsx?$/.test(p)) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["app", "lib", "components", "next.config.js", "next.config.ts", "next.config.mjs", "package.json", "instrumentation.ts"]) walk(path.join(root, p));
  return newest;
}

/** Builds when there is no build (or BENCH_REBUILD=1); returns whether the build is older than the sources. */
function ensureBuild(): boolean {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (fs.existsSync(buildId) && process.env.BENCH_REBUILD !== "1") {
    const stale = newestSourceMtime() > fs.statSync(buildId).mtimeMs;
    if (stale) log("WARNING: .next is older than the sources, so the server runs the old code; BENCH_REBUILD=1 rebuilds (stop other `next start`s on this tree first)");
    return stale;
  }
  log(`${fs.existsSync(buildId) ? "BENCH_REBUILD=1" : "no .next/BUILD_ID"}: building the app (next build)…`);
  const r = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed; see above.");
  return false;
}

type Server = { url: string; proc: ChildProcess; dataDir: string; log: string[] };

async function startServer(): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-http-"));
  const serverLog: string[] = [];
  const extra: Record<string, string> = { LEDGERLINE_DEMO: "off", LEDGERLINE_RATE_LIMIT: "0" };
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: root,
    env: { ...childEnv(dataDir), ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onData = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) serverLog.push(line);
    if (serverLog.length > 400) serverLog.splice(0, serverLog.length - 200);
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const server = { url: `http://127.0.0.1:${port}`, proc, dataDir, log: serverLog };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await stopServer(server);
      throw new Error(`server exited (${proc.exitCode}):\n${serverLog.join("\n")}`);
    }
    try {
      const r = await fetch(`${server.url}/api/v1/keys`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopServer(server);
      throw new Error(`server not ready after 90 s:\n${serverLog.join("\n")}`);
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

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function procCpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

function runCli(dataDir: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, env: childEnv(dataDir), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

type HttpResult = {
  perS: number;
  ms: number;
  acknowledged: number;
  /** Entries with the bench's source (the log also holds meta-audit entries). */
  benchEntries: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  verify: { ok: boolean; treeSize: number; checkpoints: number; ms: number };
  bytes: number;
  walCheckpoint: unknown;
  /** CPU seconds the server process used during the timed run (null off Linux). */
  serverCpuS: number | null;
  clientCpuS: number;
  buildStale: boolean;
};

async function benchHttp(events: Array<NormalizedEvent & { id: string }>): Promise<HttpResult> {
  const buildStale = ensureBuild();
  log("starting next start on 127.0.0.1 (fresh data dir, LEDGERLINE_DEMO=off, LEDGERLINE_RATE_LIMIT=0)…");
  const t0 = performance.now();
  const server = await startServer();
  try {
    log(`server ready at ${server.url} in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const k = runCli(server.dataDir, ["keys", "create", "--source", SOURCE, "--description", "bench", "--json"]);
    if (k.status !== 0) throw new Error(`keys create failed (${k.status}): ${k.stderr}${k.stdout}`);
    const key = (JSON.parse(k.stdout) as { key: string }).key;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const eventsUrl = `${server.url}/api/v1/events`;

    // Warm-up that stores nothing: loads the route bundle, the key lookup, the
    // parser and the validator (an unknown key → 401; an invalid batch → 422/400).
    for (let i = 0; i < 3; i++) {
      const a = await fetch(eventsUrl, { method: "POST", headers: { ...headers, authorization: "Bearer llk_000000000000_" + "A".repeat(43) }, body: "[]" });
      await a.arrayBuffer();
      const bad = JSON.stringify(events.slice(0, BATCH).map((e, j) => (j === BATCH - 1 ? { ...e, outcome: "nope" } : e)));
      const b = await fetch(eventsUrl, { method: "POST", headers, body: bad });
      await b.arrayBuffer();
      if (a.status !== 401 || b.status < 400 || b.status >= 500) throw new Error(`warm-up got ${a.status} / ${b.status}, expected 401 / 4xx`);
    }

    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify(events.slice(i, i + BATCH)));
    log(`posting ${fmt(events.length)} events as ${bodies.length} batches of ≤ ${BATCH} with ${CONCURRENCY} concurrent clients…`);

    const latencies: number[] = [];
    let next = 0;
    let acknowledged = 0;
    let failure: Error | null = null;
    const worker = async () => {
      while (!failure && next < bodies.length) {
        const i = next++;
        const body = bodies[i]!;
        const s = performance.now();
        const res = await fetch(eventsUrl, { method: "POST", headers, body });
        const text = await res.text();
        latencies.push(performance.now() - s);
        if (res.status !== 201) {
          failure ??= new Error(`batch ${i}: HTTP ${res.status} (expected 201): ${text.slice(0, 500)}`);
          return;
        }
        const parsed = JSON.parse(text) as { accepted: unknown[]; duplicates: unknown[] };
        const expected = Math.min(BATCH, events.length - i * BATCH);
        if (parsed.accepted.length !== expected || parsed.duplicates.length !== 0) {
          failure ??= new Error(`batch ${i}: ${parsed.accepted.length} accepted, ${parsed.duplicates.length} duplicates (expected ${expected} accepted)`);
        }
        acknowledged += parsed.accepted.length;
      }
    };
    const serverCpu0 = procCpuSeconds(server.proc.pid);
    const clientCpu0 = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const ms = performance.now() - start;
    const serverCpu1 = procCpuSeconds(server.proc.pid);
    const cu = process.cpuUsage(clientCpu0);
    const serverCpuS = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
    const clientCpuS = (cu.user + cu.system) / 1e6;
    if (failure) throw failure;
    latencies.sort((a, b) => a - b);
    log(`    ${fmt((acknowledged / ms) * 1000)} events/s (${fmt(acknowledged)} acknowledged in ${fmt(ms)} ms)`);

    log("running ledgerline verify-log --json on the server's data dir (server still running)…");
    const v0 = performance.now();
    const v = runCli(server.dataDir, ["verify-log", "--json"]);
    const vms = performance.now() - v0;
    let verify: HttpResult["verify"];
    try {
      const j = JSON.parse(v.stdout) as { ok: boolean; treeSize: number; checkpoints?: number };
      verify = { ok: j.ok === true && v.status === 0, treeSize: j.treeSize, checkpoints: j.checkpoints ?? 0, ms: vms };
    } catch {
      throw new Error(`verify-log gave no JSON (exit ${v.status}): ${v.stderr}${v.stdout}`);
    }

    // Size on disk: fold the WAL back through a separate connection first.
    const file = path.join(server.dataDir, "ledgerline.db");
    const side = new Database(file);
    // The log also holds the meta-audit entry of `keys create` (source ledgerline:cli):
    // compare the acknowledged count with the bench source's entries only.
    const benchEntries = Number((side.prepare("SELECT COUNT(*) AS n FROM entries WHERE source = ?").get(SOURCE) as { n: number }).n);
    const walCheckpoint = side.pragma("wal_checkpoint(TRUNCATE)");
    side.close();
    const bytes = dbBytes(file);

    return {
      perS: (acknowledged / ms) * 1000,
      ms,
      acknowledged,
      benchEntries,
      requests: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      verify,
      bytes,
      walCheckpoint,
      serverCpuS,
      clientCpuS,
      buildStale,
    };
  } catch (e) {
    console.error(`--- server log (last 40 lines) ---\n${server.log.slice(-40).join("\n")}`);
    throw e;
  } finally {
    await stopServer(server);
  }
}

// ------------------------------------------------------------------ main ---

async function main(): Promise<number> {
  const wall0 = performance.now();
  const cpu = os.cpus();
  const machine = {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}`);
  log(`events: ${fmt(EVENTS)} (BENCH_EVENTS), HTTP clients: ${CONCURRENCY} (BENCH_CONCURRENCY), batch ${BATCH}`);

  const overrides = Object.keys(process.env).filter((k) => k.startsWith("LEDGERLINE_") && k !== "LEDGERLINE_DATA_DIR");
  if (overrides.length) log(`note: the server inherits ${overrides.map((k) => `${k}=${process.env[k]}`).join(", ")} from this environment`);
  const events = makeEvents(EVENTS);
  const receivedAt = new Date().toISOString();
  const entries = events.map((e, i) => buildEntry(e, i + 1, receivedAt, SOURCE));

  log("1/4 JCS + SHA-256 leaf hashes (entryLeafHash), one core…");
  const hash = benchHash(entries);
  log(`    ${fmt(hash.perS)} hashes/s, median of rounds ${hash.rounds.map((r) => fmt(r)).join(" / ")} (${fmt(hash.hashes)} in ${fmt(hash.ms)} ms)`);

  log("2/4 raw better-sqlite3 inserts (precomputed rows, 500 per transaction)…");
  const rows = entries.map((e) => entryToRow(e, entryLeafHash(e)));
  const avgEventBytes = events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0) / events.length;
  const raw = benchRawInsert(rows);
  log(`    ${fmt(raw.perS)} rows/s (${fmt(rows.length)} in ${fmt(raw.ms)} ms, of which ${raw.commits} COMMITs ${fmt(raw.commitMs)} ms)`);

  log(`3/4 full verification (verifyLog) of ${fmt(VERIFY_ENTRIES)} entries (BENCH_VERIFY_ENTRIES)…`);
  const ver = await benchVerify(events, entries);
  log(`    ${fmt(ver.perS)} entries/s (${ver.ok ? "ok" : `FAILED: ${ver.reason}`}, ${fmt(ver.entries)} in ${fmt(ver.ms)} ms) vs raw JCS+SHA-256 ${fmt(ver.hashPerS)}/s = ${fmt(ver.ratio * 100, 1)} %`);

  log("4/4 HTTP ingest against next start on SQLite…");
  const http = await benchHttp(events);

  const ratio = http.perS / raw.perS;
  const perMillion = (b: number, n: number) => (b / n) * 1_000_000;
  const bytesPerM = perMillion(http.bytes, http.acknowledged);
  const rawBytesPerM = perMillion(raw.bytes, rows.length);
  const verifyOk = http.verify.ok && http.benchEntries === http.acknowledged;

  const table: Array<[string, string, string]> = [
    ["jcs_sha256_per_s (1 core, median of 3)", `${fmt(hash.perS)} (${fmt(1e6 / hash.perS, 1)} µs each)`, "—"],
    ["raw_insert_per_s (500/tx)", `${fmt(raw.perS)} (${fmt(1e6 / raw.perS, 1)} µs each)`, "—"],
    ["  of which COMMIT (fsync) per tx", `${fmt(raw.commitMs / raw.commits, 2)} ms (${fmt((raw.commitMs / raw.ms) * 100, 1)} % of raw)`, "—"],
    ["http_ingest_per_s (500/req)", `${fmt(http.perS)} (${fmt(1e6 / http.perS, 1)} µs each)`, "≥ 10,000"],
    ["http / raw", `${fmt(ratio * 100, 1)} %`, "≥ 50 %"],
    ["http / jcs_sha256", `${fmt((http.perS / hash.perS) * 100, 1)} %`, "—"],
    [
      "server CPU during run",
      http.serverCpuS === null
        ? "n/a"
        : `${fmt(http.serverCpuS, 1)} s = ${fmt((http.serverCpuS / (http.ms / 1000)) * 100)} % of one core, ${fmt((http.serverCpuS * 1e6) / http.acknowledged, 1)} µs/event`,
      "—",
    ],
    ["bench client CPU during run", `${fmt(http.clientCpuS, 1)} s = ${fmt((http.clientCpuS / (http.ms / 1000)) * 100)} % of one core`, "—"],
    ["request latency p50", `${fmt(http.p50, 1)} ms`, "—"],
    ["request latency p99 (max)", `${fmt(http.p99, 1)} ms (${fmt(http.max, 1)} ms)`, "—"],
    ["acknowledged events", fmt(http.acknowledged), fmt(EVENTS)],
    ["verify_per_s (verifyLog, full pass)", `${fmt(ver.perS)} (${fmt(ver.entries)} entries in ${fmt(ver.ms / 1000, 1)} s, ${ver.ok ? "ok" : "FAILED"})`, "—"],
    ["  jcs_sha256_per_s beside it (native SHA-256)", fmt(ver.hashPerS), "—"],
    ["  verify / jcs_sha256", `${fmt(ver.ratio * 100, 1)} %`, "≥ 80 %"],
    ["verify-log", `${http.verify.ok ? "ok" : "FAILED"}, treeSize ${fmt(http.verify.treeSize)} (${fmt(http.benchEntries)} from the bench), ${http.verify.checkpoints} checkpoints, ${fmt(http.verify.ms / 1000, 1)} s`, `ok, ${fmt(http.acknowledged)} from the bench`],
    ["DB bytes / 1M entries (server)", `${mib(bytesPerM)} (${fmt(http.bytes)} B for ${fmt(http.acknowledged)})`, "—"],
    ["DB bytes / 1M entries (raw, no merkle_nodes)", mib(rawBytesPerM), "—"],
    ["avg event JSON", `${fmt(avgEventBytes)} B`, "—"],
    ["server build", http.buildStale ? "STALE (.next older than sources)" : "current", "current"],
    ["machine", `${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}`, "—"],
  ];
  const w0 = Math.max(...table.map((r) => r[0].length));
  const w1 = Math.max(...table.map((r) => r[1].length));
  console.log("");
  console.log(`${"metric".padEnd(w0)}  ${"figure".padEnd(w1)}  target`);
  console.log(`${"-".repeat(w0)}  ${"-".repeat(w1)}  ------`);
  for (const [a, b, c] of table) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  console.log("");

  const json = {
    events: EVENTS,
    concurrency: CONCURRENCY,
    batch: BATCH,
    jcs_sha256_per_s: Math.round(hash.perS),
    jcs_sha256_rounds: hash.rounds.map((r) => Math.round(r)),
    raw_insert_per_s: Math.round(raw.perS),
    raw_commit_ms_per_tx: Math.round((raw.commitMs / raw.commits) * 100) / 100,
    http_ingest_per_s: Math.round(http.perS),
    http_over_raw: Math.round(ratio * 1000) / 1000,
    target_http_over_raw: 0.5,
    target_http_ingest_per_s: 10_000,
    http_ms: Math.round(http.ms),
    http_requests: http.requests,
    server_cpu_us_per_event: http.serverCpuS === null ? null : Math.round((http.serverCpuS * 1e7) / http.acknowledged) / 10,
    server_cpu_share_of_one_core: http.serverCpuS === null ? null : Math.round((http.serverCpuS / (http.ms / 1000)) * 100) / 100,
    client_cpu_share_of_one_core: Math.round((http.clientCpuS / (http.ms / 1000)) * 100) / 100,
    latency_ms: { p50: Math.round(http.p50 * 10) / 10, p99: Math.round(http.p99 * 10) / 10, max: Math.round(http.max * 10) / 10 },
    acknowledged: http.acknowledged,
    full_verify_entries: ver.entries,
    full_verify_per_s: Math.round(ver.perS),
    full_verify_ms: Math.round(ver.ms),
    full_verify_ok: ver.ok,
    full_verify_jcs_sha256_per_s: Math.round(ver.hashPerS),
    full_verify_over_jcs_sha256: Math.round(ver.ratio * 1000) / 1000,
    target_full_verify_over_jcs_sha256: 0.8,
    full_verify_store_build_ms: Math.round(ver.buildMs),
    verify_ok: http.verify.ok,
    verify_tree_size: http.verify.treeSize,
    verify_checkpoints: http.verify.checkpoints,
    verify_ms: Math.round(http.verify.ms),
    db_bytes: http.bytes,
    db_bytes_per_million: Math.round(bytesPerM),
    raw_db_bytes_per_million: Math.round(rawBytesPerM),
    avg_event_json_bytes: Math.round(avgEventBytes),
    build_stale: http.buildStale,
    machine,
    wall_s: Math.round((performance.now() - wall0) / 100) / 10,
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
  if (!ver.ok) {
    console.error(`[bench] full verification of the built store failed: ${ver.reason}`);
    return 1;
  }
  if (!verifyOk) {
    console.error(`[bench] verify-log: ok=${http.verify.ok}, ${http.benchEntries} bench entries vs ${http.acknowledged} acknowledged`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[bench] ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
