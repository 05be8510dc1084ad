// npm run test:stress — the load, crash, fault, abuse and tlog (monitor vs insider) suites against real
// `next start` servers on 127.0.0.1 (SQLite and a throwaway PostgreSQL
// cluster), at full size; `--quick` (or STRESS_SIZE=quick) is the reduced tier
// `npm test` runs after e2e. `--only=load,crash,faults,abuse,security-data,security-auth,tlog,witnesses,insider`
// picks suites. insider: the issue-14 insider scenarios against a server, a witness, a monitor
// and a webhook receiver, each its own process (test/stress/insider.ts). The security suites (test/security/) replay the security review's
// findings: security-data against a production-configured server, security-auth
// against SQLite and two instances on one PostgreSQL; same size in both tiers. tlog
// runs the monitor as a separate process against a server an insider tampers with; witnesses runs
// the server with three real witness processes (cosigning, a witness down and back, SIGTERM).
// Reuses the existing .next build (npm test's e2e tier just built it); builds
// under the checkout's build lock only when there is none. Exit 1 when any property fails;
// ends with "  N passed" / "  N failed" lines for scripts/test.mjs, and writes
// the figures as JSON to <bench cache>/stress-report-<size>.json for the bench report.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startPgCluster, createDatabase, type PgCluster } from "../../test/support/pg-cluster.ts";
import { runAbuse } from "../../test/stress/abuse.ts";
import { runCrash } from "../../test/stress/crash.ts";
import { runFaults } from "../../test/stress/faults.ts";
import { runSecurityData } from "../../test/security/data.ts";
import { runSecurityAuth } from "../../test/security/auth.ts";
import { LOAD_FULL, LOAD_QUICK, runLoad } from "../../test/stress/load.ts";
import { runTlog } from "../../test/stress/tlog.ts";
import { runWitnesses } from "../../test/stress/witnesses.ts";
import { runInsider } from "../../test/stress/insider.ts";
import { Checks, ensureBuild, log, newSqliteStore, type Store } from "../../test/stress/support.ts";

const quick = process.argv.includes("--quick") || process.env.STRESS_SIZE === "quick";
const onlyArg = process.argv.find((a) => a.startsWith("--only="))?.slice(7) ?? process.env.STRESS_ONLY;
const only = new Set(
  (onlyArg ?? "abuse,load,crash,faults,security-data,security-auth,tlog,witnesses,insider")
    .split(",")
    .map((s) => s.trim()),
);
const SIZES = quick
  ? { load: LOAD_QUICK, killsSqlite: 5, killsPg: 3, abuse: 150 }
  : { load: LOAD_FULL, killsSqlite: 20, killsPg: 20, abuse: 2000 };

type Report = Record<string, unknown>;

/** Temporary stores for the suites, removed by the caller from tempDirs. */
function storeMakers(cluster: PgCluster | null, tempDirs: string[]) {
  const sqlite = (name: string): Store => {
    const s = newSqliteStore(name);
    tempDirs.push(s.dataDir);
    return s;
  };
  const pgStore = async (name: string): Promise<Store> => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-stress-${name}-`));
    tempDirs.push(dataDir);
    return {
      dialect: "postgres",
      dataDir,
      databaseUrl: await createDatabase(cluster!, `${name}_${Date.now().toString(36)}`),
    };
  };
  return { sqlite, pgStore };
}

/** Every selected suite in turn; a suite that throws counts as one failed check and the next one still runs. */
async function runSuites(report: Report, suites: Checks[], cluster: PgCluster | null): Promise<void> {
  const tempDirs: string[] = [];
  const { sqlite, pgStore } = storeMakers(cluster, tempDirs);
  const suite = async (name: string, fn: (c: Checks) => Promise<unknown>) => {
    if (!only.has(name.split(" ")[0]!)) return;
    const c = new Checks(name);
    suites.push(c);
    const s0 = Date.now();
    try {
      report[name] = await fn(c);
    } catch (e) {
      // fetch's "fetch failed" hides why (refused, reset, timeout) in its cause.
      const cause = (e as { cause?: unknown }).cause;
      const why = cause ? `\ncaused by: ${(cause as Error).stack ?? String(cause)}` : "";
      c.check("suite ran to the end", false, ((e as Error).stack ?? String(e)) + why);
    }
    log(`${name}: ${((Date.now() - s0) / 1000).toFixed(0)} s`);
  };
  try {
    await suite("abuse", (c) => runAbuse(c, SIZES.abuse, sqlite("abuse")));
    await suite("load", (c) => runLoad(c, SIZES.load, sqlite("load")));
    await suite("crash sqlite", (c) => runCrash(c, sqlite("crash"), SIZES.killsSqlite, 7));
    await suite("crash postgres", async (c) => runCrash(c, await pgStore("crash"), SIZES.killsPg, 11));
    await suite("faults", (c) => runFaults(c, cluster));
    await suite("security-data", (c) => runSecurityData(c));
    await suite("security-auth", (c) =>
      runSecurityAuth(c, sqlite("security-auth"), cluster ? () => pgStore("secauth") : null),
    );
    await suite("tlog sqlite", (c) => runTlog(c, sqlite("tlog")));
    await suite("witnesses sqlite", (c) => runWitnesses(c, sqlite("witnesses"), quick));
    await suite("insider sqlite", (c) => runInsider(c, sqlite("insider"), { quick, say: (l) => log(l.trim()) }));
    await suite("tlog postgres", async (c) => {
      const store = await pgStore("tlog");
      // The insider's connection: a superuser on the same database.
      const admin = new URL(cluster!.adminUrl);
      admin.pathname = new URL(store.databaseUrl!).pathname;
      return runTlog(c, store, admin.toString());
    });
  } finally {
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Counts and per-suite failures into the report. */
function summarize(report: Report, suites: Checks[], t0: number): { passed: number; failed: number } {
  const passed = suites.reduce((n, s) => n + s.results.filter((r) => r.ok).length, 0);
  const failed = suites.reduce((n, s) => n + s.failed, 0);
  report.passed = passed;
  report.failed = failed;
  report.wallS = Math.round((Date.now() - t0) / 1000);
  report.checks = Object.fromEntries(
    suites.map((s) => [
      s.suite,
      {
        passed: s.results.filter((r) => r.ok).length,
        failed: s.failed,
        date: report.date,
        failures: s.results.filter((r) => !r.ok).map((r) => `${r.name} — ${r.detail.slice(0, 300)}`),
      },
    ]),
  );
  return { passed, failed };
}

function writeReportFile(report: Report): void {
  try {
    const dir = process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), "ledgerline-bench-cache");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `stress-report-${quick ? "quick" : "full"}.json`);
    // A run of some suites (--only) updates theirs and keeps the others' last figures.
    const prev = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    const checks = {
      ...((prev.checks as Record<string, { passed: number; failed: number }>) ?? {}),
      ...(report.checks as Record<string, { passed: number; failed: number }>),
    };
    const merged: Record<string, unknown> = { ...prev, ...report, checks };
    merged.passed = Object.values(checks).reduce((n, c) => n + c.passed, 0);
    merged.failed = Object.values(checks).reduce((n, c) => n + c.failed, 0);
    fs.writeFileSync(file, JSON.stringify(merged, null, 1));
  } catch {
    // the report file is a convenience for the bench; the checks above are the result
  }
}

async function main(): Promise<number> {
  const t0 = Date.now();
  log(`${quick ? "quick (CI) tier" : "full size"}: ${[...only].join(", ")}`);
  ensureBuild();
  const report: Report = {
    size: quick ? "quick" : "full",
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
  };
  const suites: Checks[] = [];
  let cluster: PgCluster | null = null;
  const needPg = only.has("crash") || only.has("faults") || only.has("security-auth") || only.has("tlog");
  try {
    if (needPg) cluster = await startPgCluster({ log: (m) => log(m) });
    await runSuites(report, suites, cluster);
  } finally {
    await cluster?.stop().catch((e: unknown) => console.error(e));
  }
  const { passed, failed } = summarize(report, suites, t0);
  writeReportFile(report);
  console.log(`STRESS_JSON ${JSON.stringify(report)}`);
  for (const s of suites)
    for (const r of s.results.filter((x) => !x.ok)) console.log(`[stress] FAILED ${s.suite}: ${r.name} — ${r.detail}`);
  console.log(`\n  ${passed} passed`);
  if (failed) console.log(`  ${failed} failed`);
  log(`done in ${report.wallS} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[stress] ${(e as Error).stack ?? e}`);
    console.log("\n  0 passed\n  1 failed");
    process.exit(1);
  },
);
