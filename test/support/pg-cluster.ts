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
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./free-port.ts";
import {
  SERVER_USER,
  asServerUser,
  cleanEnv,
  describe,
  ensureServerUser,
  failureMessage,
  findPgBinDir,
  indent,
  initdbLocaleArgs,
  installExitHook,
  isRoot,
  killWatchdog,
  live,
  readServerLogTail,
  run,
  runOrThrow,
  spawnWatchdog,
  type Live,
} from "./pg-host.ts";

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

const SUPERUSER = "postgres";
const APP_ROLE = "ledgerline";
const APP_DB = "ledgerline";

// Per-cluster bookkeeping that createDatabase() needs but the public type does not expose.
type Internal = { adminPassword: string; appPassword: string; closed: boolean };
const internals = new WeakMap<PgCluster, Internal>();

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

/** The files and commands of one cluster, shared by its start-up steps and stop(). */
type Paths = { pgCtl: string; baseDir: string; dataDir: string; serverLog: string; env: NodeJS.ProcessEnv };

/** initdb into `dataDir` with the superuser's password, as the server user. */
async function initCluster(initdb: string, p: Paths, adminPassword: string, owner?: { uid: number; gid: number }) {
  const pwFile = path.join(p.baseDir, "pwfile");
  await mkdir(p.dataDir, { mode: 0o700 });
  await writeFile(pwFile, adminPassword + "\n", { mode: 0o600 });
  await chmod(p.baseDir, 0o700);
  if (owner) {
    for (const f of [p.baseDir, p.dataDir, pwFile]) await chown(f, owner.uid, owner.gid);
  }
  const [cmd, args] = asServerUser(initdb, [
    "-D",
    p.dataDir,
    `--username=${SUPERUSER}`,
    `--pwfile=${pwFile}`,
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
    ...initdbLocaleArgs(),
  ]);
  await runOrThrow("initdb", cmd, args, {
    cwd: p.baseDir,
    env: p.env,
    hint: `check that ${SERVER_USER} can write to ${os.tmpdir()} and that there is free disk space`,
  });
  await rm(pwFile, { force: true });
}

/** pg_ctl start on a free port (a new port if someone grabbed ours in between); the port it listens on. */
async function startServer(p: Paths, log: (m: string) => void, onStarting: () => void): Promise<number> {
  // Unix sockets have a ~107-byte path limit; fall back to TCP only if TMPDIR is very long.
  const socketDir = path.join(p.baseDir, ".s.PGSQL.65535").length < 100 ? p.baseDir : "";
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const serverOpts = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories='${socketDir}'`,
      `-c fsync=on`,
      `-c max_connections=200`,
    ].join(" ");
    const t2 = Date.now();
    const [cmd, args] = asServerUser(p.pgCtl, [
      "-D",
      p.dataDir,
      "-l",
      p.serverLog,
      "-w",
      "-t",
      "30",
      "start",
      "-o",
      serverOpts,
    ]);
    onStarting();
    const r = await run(cmd, args, { cwd: p.baseDir, env: p.env });
    if (r.code === 0) {
      log(`pg-cluster: started on 127.0.0.1:${port} (${Date.now() - t2} ms)`);
      return port;
    }
    const logText = readServerLogTail(p.serverLog);
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
        p.serverLog,
        "fix the problem shown in the server log; `pgrep -a postgres` shows stray servers",
      ),
    );
  }
}

/** The non-superuser application role and the database it owns. */
async function createAppRole(adminPostgresUrl: string, appPassword: string, serverLog: string): Promise<void> {
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
}

/** stop(): pg_ctl stop -m fast (immediate if that fails), then the files go. */
async function stopCluster(p: Paths, entry: Live, port: number, log: (m: string) => void): Promise<void> {
  live.delete(entry);
  const [cmd, args] = asServerUser(p.pgCtl, ["-D", p.dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
  const r = await run(cmd, args, { cwd: p.baseDir, env: p.env });
  let err: Error | undefined;
  if (r.code !== 0 && existsSync(path.join(p.dataDir, "postmaster.pid"))) {
    err = new Error(
      failureMessage(
        "pg_ctl stop",
        describe(cmd, args),
        r,
        p.serverLog,
        "a postgres process may be left over: check `pgrep -a postgres` and kill it by pid",
      ),
    );
    const [icmd, iargs] = asServerUser(p.pgCtl, ["-D", p.dataDir, "-m", "immediate", "-w", "stop"]);
    await run(icmd, iargs, { cwd: p.baseDir, env: p.env });
  }
  killWatchdog(entry);
  await rm(p.baseDir, { recursive: true, force: true });
  log(`pg-cluster: stopped 127.0.0.1:${port}`);
  if (err) throw err;
}

export async function startPgCluster(opts: StartPgClusterOptions = {}): Promise<PgCluster> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const bin = await findPgBinDir(log);
  const owner = isRoot ? await ensureServerUser() : undefined;
  const baseDir = await mkdtemp(path.join(os.tmpdir(), "ledgerline-pg-"));
  const dataDir = path.join(baseDir, "data");
  const p: Paths = {
    pgCtl: path.join(bin, "pg_ctl"),
    baseDir,
    dataDir,
    serverLog: path.join(dataDir, "server.log"),
    env: cleanEnv(),
  };
  const entry: Live = { pgCtl: p.pgCtl, dataDir, baseDir };
  let started = false;

  try {
    const adminPassword = randomBytes(18).toString("hex");
    const appPassword = randomBytes(18).toString("hex");
    const t1 = Date.now();
    await initCluster(path.join(bin, "initdb"), p, adminPassword, owner);
    log(`pg-cluster: initdb ${dataDir} (${Date.now() - t1} ms)`);
    const port = await startServer(p, log, () => (started = true));
    entry.watchdogPid = spawnWatchdog(entry);
    live.add(entry);
    installExitHook();
    await createAppRole(pgUrl(SUPERUSER, adminPassword, port, "postgres"), appPassword, p.serverLog);

    const cluster: PgCluster = {
      url: pgUrl(APP_ROLE, appPassword, port, APP_DB),
      adminUrl: pgUrl(SUPERUSER, adminPassword, port, APP_DB),
      port,
      dataDir,
      stop: async () => {
        const st = internals.get(cluster);
        if (!st || st.closed) return;
        st.closed = true;
        await stopCluster(p, entry, port, log);
      },
    };
    internals.set(cluster, { adminPassword, appPassword, closed: false });
    log(`pg-cluster: ready in ${Date.now() - t0} ms`);
    return cluster;
  } catch (e) {
    // Whatever step failed: stop a server that may have started, and remove the files.
    if (started) {
      const [cmd, args] = asServerUser(p.pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      await run(cmd, args, { cwd: baseDir, env: p.env });
    }
    live.delete(entry);
    killWatchdog(entry);
    await rm(baseDir, { recursive: true, force: true }).catch(() => {});
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
