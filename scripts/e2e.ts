// npm run test:e2e — the browser tier, self-contained: installs Debian's
// chromium if missing (as root), builds the app if stale, starts a throwaway
// PostgreSQL cluster plus one server on SQLite and one on PostgreSQL (each with
// its demo data), runs Playwright against both, and stops everything.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startPgCluster, type PgCluster } from "../test/support/pg-cluster.ts";

const root = path.resolve(import.meta.dirname, "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function ensureChromium() {
  if (fs.existsSync(chromium)) return;
  if (process.getuid?.() !== 0) throw new Error(`${chromium} is missing: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  console.log("[e2e] installing Debian's chromium (apt-get install -y chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (exit ${r.status}).`);
  }
}

function build() {
  console.log("[e2e] building the app (next build)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "inherit", env: baseEnv });
  if (r.status !== 0) throw new Error("next build failed; see above.");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

type Server = { url: string; demoKey: string; proc: ChildProcess; dataDir: string; log: string[] };

async function startServer(name: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-e2e-${name}-`));
  const log: string[] = [];
  const proc = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: { ...baseEnv, LEDGERLINE_DATA_DIR: dataDir, LEDGERLINE_CHECKPOINT_INTERVAL: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let demoKey = "";
  const onData = (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim()) continue;
      log.push(line);
      const m = /\[ledgerline\]\s+(llk_\S+)/.exec(line);
      if (m) demoKey = m[1]!;
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`[${name}] server exited (${proc.exitCode}):\n${log.join("\n")}`);
    try {
      const r = await fetch(`${url}/api/v1/checkpoint`);
      if (r.status === 200 && demoKey) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`[${name}] server not ready after 90 s:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`[e2e] ${name} server ready at ${url}`);
  return { url, demoKey, proc, dataDir, log };
}

async function main(): Promise<number> {
  ensureChromium();
  if (!process.env.E2E_SKIP_BUILD) build();
  let cluster: PgCluster | undefined;
  const servers: Server[] = [];
  try {
    cluster = await startPgCluster({ log: (m) => console.log(`[e2e] ${m}`) });
    servers.push(await startServer("sqlite", {}));
    servers.push(await startServer("postgres", { DATABASE_URL: cluster.url }));
    const [sqlite, postgres] = servers as [Server, Server];
    const r = spawnSync(process.execPath, [path.join(root, "node_modules/@playwright/test/cli.js"), "test", ...process.argv.slice(2)], {
      cwd: root,
      stdio: "inherit",
      env: {
        ...baseEnv,
        E2E_SQLITE_URL: sqlite.url,
        E2E_SQLITE_KEY: sqlite.demoKey,
        E2E_SQLITE_DATA_DIR: sqlite.dataDir,
        E2E_POSTGRES_URL: postgres.url,
        E2E_POSTGRES_KEY: postgres.demoKey,
        E2E_POSTGRES_DATA_DIR: postgres.dataDir,
        E2E_POSTGRES_DATABASE_URL: cluster.url,
      },
    });
    if (r.status !== 0) {
      for (const s of servers) console.log(`--- server log (${s.url}) ---\n${s.log.slice(-40).join("\n")}`);
    }
    return r.status ?? 1;
  } finally {
    for (const s of servers) {
      s.proc.kill("SIGTERM");
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    await cluster?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[e2e] ${(e as Error).message}`);
    process.exit(1);
  },
);
