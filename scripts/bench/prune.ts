// Prune throughput and store size (issue 18): a log of N entries (default 100 000), 90 % of
// them claimed in 2023 and due under a 400-day default policy, pruned with receipts; the store
// size before, after pruning and after VACUUM. `--store postgres` runs it on a throwaway
// PostgreSQL cluster (size = pg_database_size after plain VACUUM, then after VACUUM FULL);
// `--archive` turns archiving before pruning on (monthly signed bundles) and reports the
// archive write rate. Standalone: npm run bench:prune -- [entries] [--store sqlite|postgres]
// [--archive]; prints the figures, the machine, and a PRUNE_BENCH_JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateEvent } from "@/lib/schemas/event.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { setRetentionPolicy } from "@/lib/server/retention/policies.ts";
import { runPrune } from "@/lib/server/retention/prune.ts";
import type { Ledger } from "@/lib/server/ledger/ledger.ts";
import { createDatabase, startPgCluster, type PgCluster } from "../../test/support/pg-cluster.ts";

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const STORE = args.includes("postgres") ? "postgres" : "sqlite";
const ARCHIVE = args.includes("--archive");
const log = (m: string) => console.log(`[bench:prune] ${m}`);

function event(i: number, old: boolean) {
  const t = old ? Date.UTC(2023, 0, 1) + i * 20_000 : Date.now() - 3_600_000 + (i % 3_600_000);
  const r = validateEvent({
    timestamp: new Date(t).toISOString(),
    eventType: "read",
    requester: {
      id: `spiffe://bench.example/ns/shop/sa/svc-${i % 97}`,
      type: "service",
      ip: `10.0.${i % 250}.${i % 199}`,
    },
    target: { id: `db://payments-pg/cardholder.cards/${i}`, service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: i % 23 === 0 ? "denied" : "success",
    correlationId: `corr-${i % 5000}`,
    attributes: { "http.response.status_code": 200, "user.name": `user-${i % 1000}`, bytes: i * 7 },
  });
  if (!r.ok) throw new Error("bad bench event");
  return r.event;
}

const fileSize = (file: string) =>
  [file, `${file}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);

/** The store's bytes on disk: the SQLite file + WAL, or pg_database_size. */
async function storeSize(ledger: Ledger): Promise<number> {
  if (ledger.db.dialect === "sqlite") {
    await ledger.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return fileSize((ledger.config.database as { file: string }).file);
  }
  const r = await ledger.db.get<{ n: string }>("SELECT pg_database_size(current_database()) AS n");
  return Number(r?.n ?? 0);
}

async function fill(ledger: Ledger): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const n = Math.min(5000, N - i);
    await ledger.sequencer.append(
      "spiffe://bench.example/a",
      Array.from({ length: n }, (_, k) => event(i + k, i + k < N * 0.9)),
    );
    if (i % 100_000 === 0) log(`appended ${i + n}/${N}`);
  }
  await ledger.sequencer.checkpoint();
  log(`${N} entries appended in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** VACUUM after the prune: SQLite's rewrites the file; PostgreSQL's plain one only marks space reusable, FULL rewrites. */
async function vacuum(
  ledger: Ledger,
): Promise<{ afterVacuum: number; afterVacuumFull: number | null; vacuumSeconds: number }> {
  const t = performance.now();
  await ledger.db.exec("VACUUM");
  const afterVacuum = await storeSize(ledger);
  const afterVacuumFull =
    ledger.db.dialect === "postgres" ? (await ledger.db.exec("VACUUM FULL"), await storeSize(ledger)) : null;
  return { afterVacuum, afterVacuumFull, vacuumSeconds: (performance.now() - t) / 1000 };
}

async function measure(ledger: Ledger, archiveDir: string) {
  await fill(ledger);
  const before = await storeSize(ledger);
  const admin = systemPrincipal("bench@localhost");
  await setRetentionPolicy(ledger, admin, "default", { days: 400, archive: ARCHIVE });
  const r = await runPrune(ledger, admin, { onProgress: (m) => (m.includes("archived") ? log(m) : undefined) });
  const afterPrune = await storeSize(ledger);
  const v = await vacuum(ledger);
  const archiveBytes = fs.readdirSync(archiveDir).reduce((n, f) => n + fs.statSync(path.join(archiveDir, f)).size, 0);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  // With archive on, `seconds` includes writing the archive: the prune's own rate leaves it out.
  const rate = Math.round(r.pruned / (r.seconds - r.archiveSeconds));
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  log(
    `${STORE}${ARCHIVE ? ", archive on" : ""}: pruned ${r.pruned} entries in ${r.seconds.toFixed(1)} s (${(r.seconds - r.archiveSeconds).toFixed(1)} s without the archive) = ${rate} entries/s (${r.receipts.length} receipts)`,
  );
  if (ARCHIVE)
    log(
      `archive: ${r.archived.length} monthly bundles, ${mb(archiveBytes)} MB written in ${r.archiveSeconds.toFixed(1)} s = ${Math.round(r.pruned / r.archiveSeconds)} entries/s, ${mb(archiveBytes / r.archiveSeconds)} MB/s`,
    );
  log(
    `store: ${mb(before)} MB before, ${mb(afterPrune)} MB after prune, ${mb(v.afterVacuum)} MB after VACUUM${v.afterVacuumFull !== null ? `, ${mb(v.afterVacuumFull)} MB after VACUUM FULL` : ""} (${v.vacuumSeconds.toFixed(1)} s)`,
  );
  console.log(
    `PRUNE_BENCH_JSON ${JSON.stringify({ store: STORE, archive: ARCHIVE, entries: N, pruned: r.pruned, seconds: r.seconds, rate, before, afterPrune, ...v, archiveFiles: r.archived.length, archiveBytes })}`,
  );
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-prune-"));
  const archiveDir = path.join(dir, "archive");
  fs.mkdirSync(archiveDir);
  let cluster: PgCluster | null = null;
  try {
    const url = STORE === "postgres" ? await createDatabase((cluster = await startPgCluster({ log })), "prune") : "";
    const config = loadConfig({
      ...process.env,
      LEDGERLINE_DATA_DIR: dir,
      LEDGERLINE_DEMO: "off",
      DATABASE_URL: url,
      LEDGERLINE_ARCHIVE_DIR: archiveDir,
    });
    const ledger = await openLedger(config);
    try {
      await measure(ledger, archiveDir);
    } finally {
      await ledger.close();
    }
  } finally {
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
