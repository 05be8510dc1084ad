// npm run test:e2e — the browser tier, self-contained: installs Debian's
// chromium if missing (as root), builds the app if stale, starts a throwaway
// PostgreSQL cluster, a local OpenID provider (test/support/oidc-provider.ts)
// and one server on SQLite plus one on PostgreSQL (each with its demo data and
// single sign-on through that provider), runs Playwright against both, and
// stops everything.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startOidcProvider, type OidcTestProvider } from "../test/support/oidc-provider.ts";
import { startPgCluster, type PgCluster } from "../test/support/pg-cluster.ts";
import { freePort } from "../test/support/free-port.ts";
import { buildLockPath } from "../test/support/build-lock.ts";

const root = path.resolve(import.meta.dirname, "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

function ensureChromium() {
  if (fs.existsSync(chromium)) return;
  if (process.getuid?.() !== 0)
    throw new Error(`${chromium} is missing: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  console.log("[e2e] installing Debian's chromium (apt-get install -y chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed (exit ${r.status}).`);
  }
}

function build() {
  console.log("[e2e] building the app (next build)…");
  // Under the checkout's build lock: a stress run or bench copying .next meanwhile waits for it.
  const next = path.join(root, "node_modules/next/dist/bin/next");
  const r = spawnSync("flock", [buildLockPath(root), process.execPath, next, "build"], {
    cwd: root,
    stdio: "inherit",
    env: baseEnv,
  });
  if (r.status !== 0) throw new Error("next build failed; see above.");
}

type Login = { email: string; password: string };
type Server = {
  url: string;
  demoKey: string;
  logins: Record<string, Login>;
  proc: ChildProcess;
  dataDir: string;
  log: string[];
};

/** The roles whose demo login (`demo login  <role>  <email>  <password>`) each server must print at first start. */
const DEMO_ROLES = ["admin", "auditor", "analyst"] as const;
const DEMO_LOGIN = /\bdemo login\s+(\S+)\s+(\S+@\S+)\s+(\S+)\s*$/;

/** Single sign-on identities at the local provider: the login form takes the key as the account id. */
const OIDC_ACCOUNTS = {
  "sso-auditor": { email: "sso-auditor@idp.e2e.test", name: "SSO Auditor", groups: ["ledgerline-auditors"] },
  "sso-nobody": { email: "sso-nobody@idp.e2e.test", name: "SSO Nobody", groups: [] },
};

function oidcEnv(oidc: OidcTestProvider, url: string): Record<string, string> {
  return {
    NEXTAUTH_URL: url,
    LEDGERLINE_OIDC_ISSUER: oidc.issuer,
    LEDGERLINE_OIDC_CLIENT_ID: oidc.clientId,
    LEDGERLINE_OIDC_CLIENT_SECRET: oidc.clientSecret,
    LEDGERLINE_OIDC_NAME: "Test SSO",
    LEDGERLINE_OIDC_ROLE_MAP: "ledgerline-auditors=auditor,ledgerline-admins=admin",
    // `groups` is a scope of its own at the test provider (as at many real ones).
    LEDGERLINE_OIDC_SCOPE: "openid email profile groups",
  };
}

async function startServer(name: string, port: number, env: Record<string, string>): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-e2e-${name}-`));
  const log: string[] = [];
  const proc = spawn(
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: {
        ...baseEnv,
        LEDGERLINE_DATA_DIR: dataDir,
        LEDGERLINE_ARCHIVE_DIR: path.join(dataDir, "archive"),
        LEDGERLINE_CHECKPOINT_INTERVAL: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let demoKey = "";
  const logins: Record<string, Login> = {};
  const onData = (d: Buffer) => {
    for (const line of d.toString().split("\n")) {
      if (!line.trim()) continue;
      log.push(line);
      const m = /\[ledgerline\]\s+(llk_\S+)/.exec(line);
      if (m) demoKey = m[1]!;
      const l = DEMO_LOGIN.exec(line);
      if (l) logins[l[1]!] = { email: l[2]!, password: l[3]! };
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  const ready = () => demoKey && DEMO_ROLES.every((r) => logins[r]);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`[${name}] server exited (${proc.exitCode}):\n${log.join("\n")}`);
    try {
      const r = await fetch(`${url}/api/v1/checkpoint`);
      if (r.status === 200 && ready()) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const missing = [
        !demoKey && "the demo ingest key",
        ...DEMO_ROLES.filter((r) => !logins[r]).map((r) => `the ${r} demo login`),
      ].filter(Boolean);
      throw new Error(
        `[${name}] server not ready after 90 s${missing.length ? ` (never printed ${missing.join(", ")})` : ""}:\n${log.join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`[e2e] ${name} server ready at ${url}`);
  return { url, demoKey, logins, proc, dataDir, log };
}

async function main(): Promise<number> {
  ensureChromium();
  if (!process.env.E2E_SKIP_BUILD) build();
  let cluster: PgCluster | undefined;
  let oidc: OidcTestProvider | undefined;
  const oidcLog: string[] = [];
  const servers: Server[] = [];
  try {
    cluster = await startPgCluster({ log: (m) => console.log(`[e2e] ${m}`) });
    // Ports first: the provider must know both servers' callback URLs.
    const sqlitePort = await freePort();
    let postgresPort = await freePort();
    while (postgresPort === sqlitePort) postgresPort = await freePort();
    const sqliteUrl = `http://127.0.0.1:${sqlitePort}`;
    const postgresUrl = `http://127.0.0.1:${postgresPort}`;
    const startOidc = () =>
      startOidcProvider({
        redirectUris: [sqliteUrl, postgresUrl].map((u) => `${u}/api/auth/callback/oidc`),
        accounts: OIDC_ACCOUNTS,
        log: (m) => oidcLog.push(m),
      });
    oidc = await startOidc();
    // Its own port (0 → any free one) must not be one just picked for a server.
    while ([sqliteUrl, postgresUrl].includes(oidc.issuer)) {
      await oidc.stop();
      oidc = await startOidc();
    }
    console.log(`[e2e] OpenID provider at ${oidc.issuer}`);
    servers.push(await startServer("sqlite", sqlitePort, oidcEnv(oidc, sqliteUrl)));
    servers.push(
      await startServer("postgres", postgresPort, { DATABASE_URL: cluster.url, ...oidcEnv(oidc, postgresUrl) }),
    );
    const [sqlite, postgres] = servers as [Server, Server];
    // Not spawnSync: the OpenID provider lives in this process, and the
    // servers' output must keep draining, while Playwright runs.
    const playwright = spawn(
      process.execPath,
      [path.join(root, "node_modules/@playwright/test/cli.js"), "test", ...process.argv.slice(2)],
      {
        cwd: root,
        stdio: "inherit",
        env: {
          ...baseEnv,
          E2E_SQLITE_URL: sqlite.url,
          E2E_SQLITE_KEY: sqlite.demoKey,
          E2E_SQLITE_DATA_DIR: sqlite.dataDir,
          E2E_SQLITE_LOGINS: JSON.stringify(sqlite.logins),
          E2E_POSTGRES_URL: postgres.url,
          E2E_POSTGRES_KEY: postgres.demoKey,
          E2E_POSTGRES_DATA_DIR: postgres.dataDir,
          E2E_POSTGRES_DATABASE_URL: cluster.url,
          E2E_POSTGRES_LOGINS: JSON.stringify(postgres.logins),
          E2E_OIDC_ISSUER: oidc.issuer,
        },
      },
    );
    const status = await new Promise<number>((resolve) => {
      playwright.on("error", () => resolve(1));
      playwright.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    for (const s of servers)
      if (s.proc.exitCode !== null)
        console.log(`[e2e] the server at ${s.url} exited (${s.proc.exitCode}) during the run`);
    if (status !== 0) {
      for (const s of servers) console.log(`--- server log (${s.url}) ---\n${s.log.slice(-40).join("\n")}`);
      if (oidcLog.length) console.log(`--- OpenID provider log ---\n${oidcLog.slice(-40).join("\n")}`);
    }
    return status;
  } finally {
    for (const s of servers) {
      s.proc.kill("SIGTERM");
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    await oidc?.stop();
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
