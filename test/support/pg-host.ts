// The host side of the throw-away PostgreSQL cluster (pg-cluster.ts): running the server
// binaries (as the unprivileged user when root), finding or installing them, the
// initdb locale, and the fallback cleanup when a test process dies without stop().
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

export const SERVER_USER = "ledgerline-test";
const PG_PACKAGE = "postgresql-15";

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

// ---------------------------------------------------------------------------
// process helpers

export type RunResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Environment for server binaries: drop PG* variables so nothing leaks in from the caller. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = {} as NodeJS.ProcessEnv;
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PG")) env[k] = v;
  env.LC_ALL = "C";
  env.LANG = "C";
  return env;
}

/** Wrap a server-binary invocation so it runs as the unprivileged user when we are root. */
export function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", SERVER_USER, "--", cmd, ...args]] : [cmd, args];
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
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

export function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => "    " + l)
    .join("\n");
}

export function describe(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export async function runOrThrow(
  what: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; serverLog?: string; hint?: string } = {},
): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code === 0) return r;
  throw new Error(failureMessage(what, describe(cmd, args), r, opts.serverLog, opts.hint));
}

export function failureMessage(what: string, command: string, r: RunResult, serverLog?: string, hint?: string): string {
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

export function readServerLogTail(file: string): string {
  try {
    return tail(readFileSync(file, "utf8"));
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------
// binaries, user, locale

/**
 * Debian packages a test tier needs besides PostgreSQL (e.g. rsyslog as the SIEM tests'
 * receiver): present, or installed with apt when running as root, or a clear error.
 */
export async function ensureDebianPackages(
  pkgs: Array<{ name: string; present: () => boolean }>,
  log: (m: string) => void,
): Promise<void> {
  const missing = pkgs.filter((p) => !p.present()).map((p) => p.name);
  if (!missing.length) return;
  const hint = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (!isRoot) throw new Error(`missing Debian packages ${missing.join(", ")}; install them with: sudo ${hint}`);
  log(`installing ${missing.join(", ")} via apt-get (one-time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await runOrThrow("apt-get update", "apt-get", ["update"], { env, hint });
  await runOrThrow("apt-get install", "apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    env,
    hint,
  });
}

export async function findPgBinDir(log: (m: string) => void): Promise<string> {
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

export function ensureServerUser(): Promise<{ uid: number; gid: number }> {
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

export function initdbLocaleArgs(): string[] {
  if (!localeArgs) {
    const r = spawnSync("locale", ["-a"], { encoding: "utf8" });
    const hasCUtf8 = r.status === 0 && /^c\.utf-?8$/im.test(r.stdout);
    localeArgs = hasCUtf8 ? ["--locale=C.UTF-8"] : ["--no-locale"];
  }
  return localeArgs;
}

// ---------------------------------------------------------------------------
// fallback cleanup

export type Live = { pgCtl: string; dataDir: string; baseDir: string; watchdogPid?: number };
export const live = new Set<Live>();
let exitHookInstalled = false;

export function installExitHook(): void {
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

export function killWatchdog(c: Live): void {
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
export function spawnWatchdog(c: Live): number | undefined {
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
