// Prune throughput and store size (issue 18): a SQLite log of N entries (default 100 000),
// 90 % of them claimed in 2023 and due under a 400-day default policy, pruned with
// receipts; the file size before, after pruning and after VACUUM.
// Standalone: npm run bench:prune -- [entries]; prints the figures and a PRUNE_BENCH_JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateEvent } from "@/lib/schemas/event.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { setRetentionPolicy } from "@/lib/server/retention/policies.ts";
import { runPrune } from "@/lib/server/retention/prune.ts";

const N = Number(process.argv[2] ?? 100_000);
const log = (m: string) => console.log(`[bench:prune] ${m}`);

function event(i: number, old: boolean) {
  const t = old ? Date.UTC(2023, 0, 1) + i * 1000 : Date.now() - 3_600_000 + (i % 3_600_000);
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

const size = (file: string) =>
  [file, `${file}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-prune-"));
  const config = loadConfig({ ...process.env, LEDGERLINE_DATA_DIR: dir, LEDGERLINE_DEMO: "off", DATABASE_URL: "" });
  const ledger = await openLedger(config);
  const file = (config.database as { file: string }).file;
  try {
    const t0 = performance.now();
    for (let i = 0; i < N; i += 5000) {
      const n = Math.min(5000, N - i);
      await ledger.sequencer.append(
        "spiffe://bench.example/a",
        Array.from({ length: n }, (_, k) => event(i + k, i + k < N * 0.9)),
      );
    }
    await ledger.sequencer.checkpoint();
    await ledger.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    log(`${N} entries appended in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const before = size(file);
    const admin = systemPrincipal("bench@localhost");
    await setRetentionPolicy(ledger, admin, "default", { days: 400 });
    const r = await runPrune(ledger, admin, { onProgress: () => {} });
    await ledger.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const afterPrune = size(file);
    const t1 = performance.now();
    await ledger.db.exec("VACUUM");
    await ledger.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const vacuumSeconds = (performance.now() - t1) / 1000;
    const afterVacuum = size(file);
    const mb = (b: number) => (b / 1e6).toFixed(1);
    const rate = Math.round(r.pruned / r.seconds);
    log(`pruned ${r.pruned} entries in ${r.seconds.toFixed(1)} s = ${rate} entries/s (${r.receipts.length} receipts)`);
    log(
      `SQLite file: ${mb(before)} MB before, ${mb(afterPrune)} MB after prune, ${mb(afterVacuum)} MB after VACUUM (${vacuumSeconds.toFixed(1)} s)`,
    );
    console.log(
      `PRUNE_BENCH_JSON ${JSON.stringify({ entries: N, pruned: r.pruned, seconds: r.seconds, rate, before, afterPrune, afterVacuum, vacuumSeconds })}`,
    );
  } finally {
    await ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
