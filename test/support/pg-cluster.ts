/**
 * Throw-away PostgreSQL cluster for integration tests.
 *
 * startPgCluster() runs initdb into a fresh temp directory, starts a private
 * postmaster on 127.0.0.1:<free port>, creates a non-superuser application
 * role `ledgerline` owning database `ledgerline`, and returns connection URLs.
 * stop() shuts the server down (pg_ctl stop -m fast) and deletes the files.
 *
 * Layout (everything under one mkdtemp directory, removed by stop()):
 *   <base>/            mkdtemp under os.tmpdir(), owned by the server user
 *   <base>/data/       PGDATA  (= cluster.dataDir), server.log lives here
 *   <base>/            also the unix socket directory
 *
 * As root the server binaries are run as the system user `ledgerline-test`
 * (created on demand) via `runuser -u ledgerline-test --`, because postgres
 * refuses to run as root. Otherwise they run as the current user.
 *
 * Fallback cleanup if the caller never calls stop():
 *   - a process 'exit' handler stops the server synchronously (spawnSync), and
 *   - a tiny detached watchdog (sh loop) stops it when this process disappears
 *     without running 'exit' handlers (SIGKILL, unhandled signal).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { chown, chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";

export type PgCluster = {
  /** postgresql://ledgerline:<pw>@127.0.0.1:<port>/ledgerline (non-superuser, owns the db) */
  url: string;
  /** postgresql://postgres:<pw>@127.0.0.1:<port>/ledgerline (superuser) */
  adminUrl: string;
  port: number;
  /** PGDATA of the cluster (server.log is in here). */
  dataDir: string;
  stop(): Promise<void>;
};

export type StartPgClusterOptions = { log?: (msg: string) => void };

const SERVER_USER = "ledgerline-test";
const SUPERUSER = "postgres";
const APP_ROLE = "ledgerline";
const APP_DB = "ledgerline";
const PG_PACKAGE = "postgresql-15";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

// Per-cluster bookkeeping that createDatabase() needs but the public type does not expose.
type Internal = { adminPassword: string; appPassword: string; closed: boolean };
const internals = new WeakMap<PgCluster, Internal>();

// ---------------------------------------------------------------------------
// process helpers

type RunResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Environment for server binaries: drop PG* variables so nothing leaks in from the caller. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG")) env[k] = v;
  env.LC_ALL = "C";
  env.LANG = "C";
  return env;
}

/** Wrap a server-binary invocation so it runs as the unprivileged user when we are root. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", SERVER_USER, "--", cmd, ...args]] : [cmd, args];
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let child;
    try {
      child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      resolve({ code: 127, signal: null, stdout: "", stderr: String(e) });
      return;
    }
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => resolve({ code: 127, signal: null, stdout, stderr: stderr + String(e) }));
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function tail(text: string, lines = 25): string {
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => "    " + l)
    .join("\n");
}

function describe(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

async function runOrThrow(
  what: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; serverLog?: string; hint?: string } = {},
): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code === 0) return r;
  throw new Error(failureMessage(what, describe(cmd, args), r, opts.serverLog, opts.hint));
}

function failureMessage(what: string, command: string, r: RunResult, serverLog?: string, hint?: string): string {
  const parts = [`pg-cluster: ${what} failed (exit ${r.code ?? r.signal}).`, `  command: ${command}`];
  const out = tail(`${r.stdout}\n${r.stderr}`.trim());
  if (out) parts.push("  output (tail):", indent(out));
  if (serverLog) {
    const logTail = readServerLogTail(serverLog);
    parts.push(`  server log ${serverLog} (tail):`, indent(logTail || "(empty or missing)"));
  }
  parts.push(
    `  next step: ${
      hint ??
      "read the output above; re-run `npx tsx test/support/pg-cluster.selftest.ts` to reproduce outside the test runner"
    }`,
  );
  return parts.join("\n");
}

function readServerLogTail(file: string): string {
  try {
    return tail(readFileSync(file, "utf8"));
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------
// binaries, user, locale

async function findPgBinDir(log: (m: string) => void): Promise<string> {
  const found = listPgBinDirs();
  if (found) return found;

  if (!isRoot) {
    throw new Error(
      `pg-cluster: PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/initdb). ` +
        `Install them with: sudo apt-get install -y ${PG_PACKAGE}`,
    );
  }
  log(
    `pg-cluster: PostgreSQL server binaries not found; installing ${PG_PACKAGE} via apt-get (one-time, may take a minute)`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await runOrThrow("apt-get update", "apt-get", ["update"], {
    env,
    hint: `install the server manually: apt-get update && apt-get install -y ${PG_PACKAGE}`,
  });
  await runOrThrow("apt-get install", "apt-get", ["install", "-y", "--no-install-recommends", PG_PACKAGE], {
    env,
    hint: `install the server manually: DEBIAN_FRONTEND=noninteractive apt-get install -y ${PG_PACKAGE}`,
  });
  const after = listPgBinDirs();
  if (!after) {
    throw new Error(
      `pg-cluster: installed ${PG_PACKAGE} but /usr/lib/postgresql/*/bin/initdb still does not exist; ` +
        `check \`dpkg -L ${PG_PACKAGE} | grep initdb\``,
    );
  }
  log(`pg-cluster: installed ${PG_PACKAGE} (${after})`);
  return after;
}

function listPgBinDirs(): string | undefined {
  const root = "/usr/lib/postgresql";
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return undefined;
  }
  const usable = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return usable[0] === undefined ? undefined : path.join(root, usable[0], "bin");
}

let serverUserReady: Promise<{ uid: number; gid: number }> | undefined;

function ensureServerUser(): Promise<{ uid: number; gid: number }> {
  serverUserReady ??= (async () => {
    const ids = async () => {
      const u = await run("id", ["-u", SERVER_USER]);
      const g = await run("id", ["-g", SERVER_USER]);
      return u.code === 0 && g.code === 0 ? { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
    };
    const existing = await ids();
    if (existing) return existing;
    const r = await run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER]);
    // exit 9 = user already exists (another process created it concurrently)
    if (r.code !== 0 && r.code !== 9) {
      throw new Error(
        failureMessage(
          `creating system user ${SERVER_USER}`,
          describe("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER]),
          r,
          undefined,
          `create it by hand: useradd --system --no-create-home --shell /usr/sbin/nologin ${SERVER_USER}`,
        ),
      );
    }
    const created = await ids();
    if (!created) throw new Error(`pg-cluster: user ${SERVER_USER} still missing after useradd; check /etc/passwd`);
    return created;
  })();
  serverUserReady.catch(() => (serverUserReady = undefined));
  return serverUserReady;
}

let localeArgs: string[] | undefined;

function initdbLocaleArgs(): string[] {
  if (!localeArgs) {
    const r = spawnSync("locale", ["-a"], { encoding: "utf8" });
    const hasCUtf8 = r.status === 0 && /^c\.utf-?8$/im.test(r.stdout);
    localeArgs = hasCUtf8 ? ["--locale=C.UTF-8"] : ["--no-locale"];
  }
  return localeArgs;
}

// ---------------------------------------------------------------------------
// fallback cleanup

type Live = { pgCtl: string; dataDir: string; baseDir: string; watchdogPid?: number };
const live = new Set<Live>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const c of live) stopSync(c);
  });
}

function stopSync(c: Live): void {
  live.delete(c);
  const [cmd, args] = asServerUser(c.pgCtl, ["-D", c.dataDir, "-m", "immediate", "-w", "-t", "10", "stop"]);
  spawnSync(cmd, args, { cwd: "/", env: cleanEnv(), stdio: "ignore", timeout: 15_000 });
  killWatchdog(c);
  try {
    rmSync(c.baseDir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

function killWatchdog(c: Live): void {
  if (c.watchdogPid === undefined) return;
  try {
    process.kill(c.watchdogPid, "SIGTERM");
  } catch {
    /* already gone */
  }
  c.watchdogPid = undefined;
}

/**
 * Detached shell loop: once this Node process is gone (even via SIGKILL, which skips 'exit'
 * handlers), stop the server and delete the directory. Exits on its own when the directory
 * disappears (normal stop()).
 */
function spawnWatchdog(c: Live): number | undefined {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const [cmd, args] = asServerUser(c.pgCtl, ["-D", c.dataDir, "-m", "immediate", "-w", "-t", "10", "stop"]);
  const script =
    `trap 'exit 0' TERM; ` +
    `while kill -0 ${process.pid} 2>/dev/null && [ -d ${q(c.dataDir)} ]; do sleep 1; done; ` +
    `if [ -d ${q(c.dataDir)} ]; then ${describe(cmd, args)} >/dev/null 2>&1; rm -rf ${q(c.baseDir)}; fi`;
  try {
    const child = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore", cwd: "/", env: cleanEnv() });
    child.on("error", () => {});
    child.unref();
    return child.pid;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// SQL helpers

function pgUrl(user: string, password: string, port: number, db: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
}

async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  // ssl:false so that a PGSSLMODE in the caller's environment cannot break the connection.
  const client = new pg.Client({ connectionString, ssl: false, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// public API

export async function startPgCluster(opts: StartPgClusterOptions = {}): Promise<PgCluster> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const bin = await findPgBinDir(log);
  const initdb = path.join(bin, "initdb");
  const pgCtl = path.join(bin, "pg_ctl");
  const owner = isRoot ? await ensureServerUser() : undefined;

  const baseDir = await mkdtemp(path.join(os.tmpdir(), "ledgerline-pg-"));
  const dataDir = path.join(baseDir, "data");
  const serverLog = path.join(dataDir, "server.log");
  const pwFile = path.join(baseDir, "pwfile");
  const env = cleanEnv();

  const entry: Live = { pgCtl, dataDir, baseDir };
  let started = false;

  const cleanupAfterFailure = async () => {
    if (started) {
      const [cmd, args] = asServerUser(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      await run(cmd, args, { cwd: baseDir, env });
    }
    live.delete(entry);
    killWatchdog(entry);
    await rm(baseDir, { recursive: true, force: true }).catch(() => {});
  };

  try {
    const adminPassword = randomBytes(18).toString("hex");
    const appPassword = randomBytes(18).toString("hex");
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(pwFile, adminPassword + "\n", { mode: 0o600 });
    await chmod(baseDir, 0o700);
    if (owner) {
      for (const p of [baseDir, dataDir, pwFile]) await chown(p, owner.uid, owner.gid);
    }

    // --- initdb
    const t1 = Date.now();
    {
      const [cmd, args] = asServerUser(initdb, [
        "-D",
        dataDir,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        "--auth=scram-sha-256",
        "-E",
        "UTF8",
        ...initdbLocaleArgs(),
      ]);
      await runOrThrow("initdb", cmd, args, {
        cwd: baseDir,
        env,
        hint: `check that ${SERVER_USER} can write to ${os.tmpdir()} and that there is free disk space`,
      });
    }
    await rm(pwFile, { force: true });
    log(`pg-cluster: initdb ${dataDir} (${Date.now() - t1} ms)`);

    // Unix sockets have a ~107-byte path limit; fall back to TCP only if TMPDIR is very long.
    const socketDir = path.join(baseDir, ".s.PGSQL.65535").length < 100 ? baseDir : "";

    // --- pg_ctl start (retry with a new port if someone grabbed ours in between)
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOpts = [
        `-c listen_addresses=127.0.0.1`,
        `-c port=${port}`,
        `-c unix_socket_directories='${socketDir}'`,
        `-c fsync=on`,
        `-c max_connections=200`,
      ].join(" ");
      const t2 = Date.now();
      const [cmd, args] = asServerUser(pgCtl, [
        "-D",
        dataDir,
        "-l",
        serverLog,
        "-w",
        "-t",
        "30",
        "start",
        "-o",
        serverOpts,
      ]);
      started = true;
      const r = await run(cmd, args, { cwd: baseDir, env });
      if (r.code === 0) {
        log(`pg-cluster: started on 127.0.0.1:${port} (${Date.now() - t2} ms)`);
        break;
      }
      const logText = readServerLogTail(serverLog);
      const portClash = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(logText);
      if (portClash && attempt < 4) {
        log(`pg-cluster: port ${port} was taken, retrying with another port`);
        continue;
      }
      throw new Error(
        failureMessage(
          "pg_ctl start",
          describe(cmd, args),
          r,
          serverLog,
          "fix the problem shown in the server log; `pgrep -a postgres` shows stray servers",
        ),
      );
    }

    entry.watchdogPid = spawnWatchdog(entry);
    live.add(entry);
    installExitHook();

    // --- roles & database
    const adminPostgresUrl = pgUrl(SUPERUSER, adminPassword, port, "postgres");
    try {
      await withClient(adminPostgresUrl, async (c) => {
        await c.query(
          `CREATE ROLE ${c.escapeIdentifier(APP_ROLE)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
            `PASSWORD ${c.escapeLiteral(appPassword)}`,
        );
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(APP_DB)} OWNER ${c.escapeIdentifier(APP_ROLE)}`);
      });
    } catch (e) {
      throw new Error(
        `pg-cluster: creating role/database failed: ${(e as Error).message}\n` +
          `  server log ${serverLog} (tail):\n${indent(readServerLogTail(serverLog) || "(empty)")}\n` +
          `  next step: fix the SQL error above (see test/support/pg-cluster.ts)`,
      );
    }

    const cluster: PgCluster = {
      url: pgUrl(APP_ROLE, appPassword, port, APP_DB),
      adminUrl: pgUrl(SUPERUSER, adminPassword, port, APP_DB),
      port,
      dataDir,
      stop: async () => {
        const st = internals.get(cluster);
        if (!st || st.closed) return;
        st.closed = true;
        live.delete(entry);
        const [cmd, args] = asServerUser(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
        const r = await run(cmd, args, { cwd: baseDir, env });
        let err: Error | undefined;
        if (r.code !== 0 && existsSync(path.join(dataDir, "postmaster.pid"))) {
          err = new Error(
            failureMessage(
              "pg_ctl stop",
              describe(cmd, args),
              r,
              serverLog,
              "a postgres process may be left over: check `pgrep -a postgres` and kill it by pid",
            ),
          );
          const [icmd, iargs] = asServerUser(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
          await run(icmd, iargs, { cwd: baseDir, env });
        }
        killWatchdog(entry);
        await rm(baseDir, { recursive: true, force: true });
        log(`pg-cluster: stopped 127.0.0.1:${port}`);
        if (err) throw err;
      },
    };
    internals.set(cluster, { adminPassword, appPassword, closed: false });
    log(`pg-cluster: ready in ${Date.now() - t0} ms`);
    return cluster;
  } catch (e) {
    await cleanupAfterFailure();
    throw e;
  }
}

/** Create database `name` owned by the application role; returns its URL (application role). */
export async function createDatabase(cluster: PgCluster, name: string): Promise<string> {
  const st = internals.get(cluster);
  if (!st) throw new Error("pg-cluster: createDatabase() needs a cluster returned by startPgCluster()");
  if (st.closed) throw new Error("pg-cluster: createDatabase() called after stop()");
  const adminPostgresUrl = pgUrl(SUPERUSER, st.adminPassword, cluster.port, "postgres");
  try {
    await withClient(adminPostgresUrl, (c) =>
      c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} OWNER ${c.escapeIdentifier(APP_ROLE)}`),
    );
  } catch (e) {
    throw new Error(
      `pg-cluster: CREATE DATABASE ${JSON.stringify(name)} failed: ${(e as Error).message}\n` +
        `  server log (tail):\n${indent(readServerLogTail(path.join(cluster.dataDir, "server.log")) || "(empty)")}\n` +
        `  next step: use a name that does not exist yet (names are case-sensitive, max 63 bytes)`,
    );
  }
  return pgUrl(APP_ROLE, st.appPassword, cluster.port, name);
}
