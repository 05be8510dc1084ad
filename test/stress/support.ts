// Shared pieces of the stress suites (load, crash, faults, abuse): a real
// `next start` server on 127.0.0.1 with its own data dir (SQLite) or database
// (PostgreSQL), the CLI for keys / users / tokens / verify-log, and small
// helpers. Everything here talks to real processes; nothing is mocked.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../support/free-port.ts";
import { buildLockPath } from "../support/build-lock.ts";
import { readStore } from "../support/raw-store.ts";

export const root = path.resolve(import.meta.dirname, "../..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const cli = path.join(root, "bin/ledgerline.mjs");

export type Store = { dialect: "sqlite" | "postgres"; dataDir: string; databaseUrl?: string };

export type Server = {
  url: string;
  port: number;
  proc: ChildProcess;
  store: Store;
  log: string[];
};

export const log = (m: string) => console.log(`[stress] ${m}`);

/** Env for the server and the CLI: nothing inherited that could point them elsewhere. */
export function storeEnv(store: Store, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    LEDGERLINE_DATA_DIR: store.dataDir,
    LEDGERLINE_DEMO: "off",
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env))
    if (k.startsWith("LEDGERLINE_") && !(k in extra) && k !== "LEDGERLINE_DATA_DIR" && k !== "LEDGERLINE_DEMO")
      delete env[k];
  if (store.databaseUrl) env.DATABASE_URL = store.databaseUrl;
  return env;
}

export function newSqliteStore(name: string): Store {
  return { dialect: "sqlite", dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-stress-${name}-`)) };
}

let appDir = root;

// What `next start` itself writes into `.next` after the build: the response cache of
// prerendered routes (`server/route-cache/…`, Next 16); a copied server must not start
// from another server's cache.
const RUNTIME_WRITTEN = [path.join("server", "route-cache")];

/**
 * A build to run: `npm test` runs this tier after e2e, which builds; standalone
 * runs build under the build lock when there is none. The build is then copied
 * into a private app dir (the project's files linked, `.next` copied without
 * its cache), so a `next build` started meanwhile in the checkout cannot pull
 * the files from under the servers of a long run.
 */
export function ensureBuild(): string {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (!fs.existsSync(buildId)) {
    log(`no .next/BUILD_ID: building under ${buildLockPath(root)} (next build)…`);
    // Checked again under the lock: a build that held it meanwhile (e2e's) is used, not redone
    // (next build empties .next first, which would pull it from under that build's servers).
    const script = '[ -f .next/BUILD_ID ] || exec "$0" "$1" build';
    const r = spawnSync("flock", [buildLockPath(root), "sh", "-c", script, process.execPath, nextBin], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" },
    });
    if (r.status !== 0) throw new Error("next build failed; see above.");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-stress-app-"));
  // lib/ and tsconfig.json: the server runs bundle builds in a child process from
  // the sources under tsx (lib/server/bundles/build-process.ts).
  for (const f of ["node_modules", "package.json", "next.config.js", "prisma", "public", "lib", "tsconfig.json"]) {
    if (fs.existsSync(path.join(root, f))) fs.symlinkSync(path.join(root, f), path.join(dir, f));
  }
  for (let attempt = 1; ; attempt++) {
    const before = fs.existsSync(buildId) ? fs.readFileSync(buildId, "utf8") : null;
    fs.rmSync(path.join(dir, ".next"), { recursive: true, force: true });
    const cp =
      before === null
        ? null
        : spawnSync(
            "flock",
            ["--shared", buildLockPath(root), "cp", "-a", path.join(root, ".next"), path.join(dir, ".next")],
            {
              encoding: "utf8",
            },
          );
    fs.rmSync(path.join(dir, ".next/cache"), { recursive: true, force: true });
    for (const d of RUNTIME_WRITTEN) fs.rmSync(path.join(dir, ".next", d), { recursive: true, force: true });
    const after = fs.existsSync(buildId) ? fs.readFileSync(buildId, "utf8") : null;
    // The copy waits for a build by e2e or this tier (the lock); a build started by hand
    // during the copy changes BUILD_ID (or removes it): copy again.
    if (cp?.status === 0 && before !== null && before === after && fs.existsSync(path.join(dir, ".next/BUILD_ID")))
      break;
    if (attempt >= 20) throw new Error(`could not copy a stable .next build: ${cp?.stderr ?? "no BUILD_ID"}`);
    log(`the build changed while it was copied (a build was started by hand): retrying in 15 s (${attempt}/20)`);
    spawnSync("sleep", ["15"]);
  }
  appDir = dir;
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `next start` on a free port in its own process group (so a SIGKILL
 * takes every process of it, as a crash would) and waits until it answers.
 */
export async function startServer(store: Store, extra: Record<string, string> = {}, port?: number): Promise<Server> {
  port ??= await freePort();
  const lines: string[] = [];
  const proc = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: appDir,
    env: storeEnv(store, extra),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const onData = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 600) lines.splice(0, lines.length - 300);
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const server: Server = { url: `http://127.0.0.1:${port}`, port, proc, store, log: lines };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`server exited (${proc.exitCode ?? proc.signalCode}):\n${lines.slice(-40).join("\n")}`);
    try {
      const r = await fetch(`${server.url}/api/v1/checkpoint`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      // Any answer but a 5xx: an empty log has no checkpoint yet, the server is up all the same.
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killServer(server);
      throw new Error(`server not ready after 120 s:\n${lines.slice(-40).join("\n")}`);
    }
    await sleep(150);
  }
  return server;
}

/** SIGKILL to the server's whole process group: no shutdown code runs, as in a power cut of the process. */
export function killServer(s: Server): Promise<void> {
  const exited = new Promise<void>((r) =>
    s.proc.exitCode !== null || s.proc.signalCode !== null ? r() : s.proc.once("exit", () => r()),
  );
  try {
    process.kill(-s.proc.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  return exited;
}

export async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.proc.once("exit", () => r()));
  try {
    process.kill(-s.proc.pid!, "SIGTERM");
  } catch {
    return;
  }
  const t = setTimeout(() => void killServer(s), 15_000);
  await exited;
  clearTimeout(t);
}

export function runCli(
  store: Store,
  args: string[],
  input?: string,
  extra: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: storeEnv(store, extra),
    encoding: "utf8",
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cliJson<T>(store: Store, args: string[], input?: string, extra: Record<string, string> = {}): T {
  const r = runCli(store, [...args, "--json"], input, extra);
  if (r.status !== 0) throw new Error(`ledgerline ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

export function createIngestKey(store: Store, source: string): string {
  return cliJson<{ key: string }>(store, ["keys", "create", "--source", source, "--description", "stress"]).key;
}

/** A user of `role` and a personal read token for it, through the CLI as an operator would. */
export function createReadToken(store: Store, role = "auditor"): string {
  const email = `stress-${crypto.randomBytes(4).toString("hex")}@example.test`;
  cliJson(
    store,
    ["users", "create", "--email", email, "--role", role, "--password-stdin"],
    `${crypto.randomBytes(12).toString("hex")}\n`,
  );
  return cliJson<{ token: string }>(store, ["tokens", "create", "--email", email, "--name", "stress"]).token;
}

export type VerifyOutcome = { ok: boolean; treeSize: number; checkpoints: number; reason: string | null };

/** `ledgerline verify-log --json` against the store (the server may keep running). */
export function verifyLog(store: Store, extra: Record<string, string> = {}): VerifyOutcome {
  const r = runCli(store, ["verify-log", "--json"], undefined, extra);
  try {
    const j = JSON.parse(r.stdout) as VerifyOutcome;
    // Consistency is what the stress tiers check: exit 3 (consistent, but unpinned) counts as intact here.
    return {
      ok: j.ok === true && (r.status === 0 || r.status === 3),
      treeSize: j.treeSize,
      checkpoints: j.checkpoints,
      reason: j.reason,
    };
  } catch {
    throw new Error(`verify-log gave no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counter = 0;
/** A valid event with a unique client id. */
export function makeEvent(prefix: string, i = counter++): Record<string, unknown> {
  const outcome = i % 31 === 0 ? "denied" : i % 17 === 0 ? "failure" : "success";
  return {
    id: `${prefix}-${i}`,
    timestamp: new Date(Date.now() - (i % 1000)).toISOString(),
    eventType: ["read", "write", "modify", "execute"][i % 4],
    requester: { id: `spiffe://stress.example/ns/shop/sa/svc-${i % 200}`, ip: `10.0.${i % 250}.${(i >> 8) % 250}` },
    target: { id: `db://stress-pg/public.table_${i % 500}`, service: `svc-${i % 40}`, type: "db" },
    action: "SELECT rows",
    outcome,
    correlationId: `trace-${Math.floor(i / 7)}`,
    ...(outcome !== "success" ? { reason: "stress" } : {}),
    attributes: { n: i, "http.response.status_code": outcome === "success" ? 200 : 403 },
  };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Collects named checks; a suite fails when any check fails (and says which, with the evidence). */
export class Checks {
  readonly results: Array<{ name: string; ok: boolean; detail: string }> = [];
  constructor(readonly suite: string) {}
  check(name: string, ok: boolean, detail = ""): boolean {
    this.results.push({ name, ok, detail });
    console.log(`[stress] ${ok ? "✓" : "✗"} ${this.suite}: ${name}${detail ? ` — ${detail}` : ""}`);
    return ok;
  }
  get failed(): number {
    return this.results.filter((r) => !r.ok).length;
  }
}

/** How many times each event id of `source` is stored (SQLite file or PostgreSQL, read directly). */
export async function storedIds(store: Store, source: string): Promise<Map<string, number>> {
  const where =
    store.dialect === "sqlite"
      ? { sqliteFile: path.join(store.dataDir, "ledgerline.db") }
      : { postgresUrl: store.databaseUrl! };
  const rows = await readStore<{ id: string; n: number | string }>(
    where,
    "SELECT event_id AS id, COUNT(*) AS n FROM entries WHERE source = ? GROUP BY event_id",
    [source],
  );
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/** A request that failed because a kept-alive socket was closed under it: it was never processed, so sending it again is safe. */
export function isStaleSocket(e: unknown): boolean {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code === "UND_ERR_SOCKET" && /other side closed/.test(cause.message ?? "");
}

/**
 * fetch, once more on a stale kept-alive socket: a synchronous step (runCli spawns and waits)
 * blocks this process's event loop past the server's 5 s keep-alive, so the socket's close is
 * only read after the next request was written on it ("other side closed"). A real client
 * retries that; a second failure is a real one.
 */
export async function fetchFresh(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (e) {
    if (!isStaleSocket(e)) throw e;
    return await fetch(input, init);
  }
}

/**
 * POSTs one batch; returns the status and, on 2xx, the ids the server acknowledged
 * (duplicates included: a re-sent id is acknowledged with its original seq). Once
 * more on a stale kept-alive socket (the server's 5 s keep-alive can close it just
 * as a request goes out on a busy machine); the events carry ids, so a repeat is harmless.
 */
export async function postBatch(
  url: string,
  key: string,
  events: Array<Record<string, unknown>>,
  timeoutMs = 60_000,
): Promise<{ status: number; acked: string[]; retryAfter: string | null; error?: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${url}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await r.text();
      if (r.status === 200 || r.status === 201) {
        const j = JSON.parse(text) as { accepted: Array<{ id: string }>; duplicates: Array<{ id: string }> };
        return {
          status: r.status,
          acked: [...j.accepted.map((a) => a.id), ...j.duplicates.map((d) => d.id)],
          retryAfter: null,
        };
      }
      return { status: r.status, acked: [], retryAfter: r.headers.get("retry-after"), error: text.slice(0, 300) };
    } catch (e) {
      if (attempt === 1 && isStaleSocket(e)) continue;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return {
        status: 0,
        acked: [],
        retryAfter: null,
        error: `${(e as Error).message}${cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : ""}`,
      };
    }
  }
}
