// Alert rule evaluation cost (issue 19): a SQLite log grown in two steps (N/10, then N
// entries, default N = 1 000 000) claimed over the last 8 days from 20 sources; after each
// step one evaluation of each kind of rule is timed (median of 5). Rules whose filter is
// source/outcome read the rollups, so their cost should not move between the two sizes;
// the one with a requester filter counts entries in its window (grows with the window's
// entries, not with the log). Then the time to detect a silent source on a moved clock.
// Standalone: npm run bench:alerts -- [entries]; prints the figures and an ALERTS_BENCH_JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateEvent } from "@/lib/schemas/event.ts";
import type { AlertRuleInput } from "@/lib/schemas/alerts.ts";
import { AlertEngine } from "@/lib/server/alerts/engine.ts";
import { evaluateRule } from "@/lib/server/alerts/evaluate.ts";
import { createAlertRule } from "@/lib/server/alerts/service.ts";
import { ruleByName } from "@/lib/server/alerts/store.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const log = (m: string) => console.log(`[bench:alerts] ${m}`);
const SPAN_MS = 8 * 86_400_000;
const source = (i: number) => `spiffe://bench.example/ns/shop/sa/svc-${i % 20}`;

/** Entry `i` of a step of `n` entries, claimed in time order over the 8 days before `now`. */
function event(i: number, now: number, at = 0.5) {
  const r = validateEvent({
    // As traffic arrives, in claimed-time order: a batch touches a few buckets.
    timestamp: new Date(now - SPAN_MS + Math.floor(at * SPAN_MS)).toISOString(),
    eventType: "read",
    requester: { id: `spiffe://bench.example/ns/shop/sa/caller-${i % 97}`, type: "service" },
    target: { id: `db://payments-pg/cardholder.cards/${i}`, service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: i % 23 === 0 ? "denied" : "success",
  });
  if (!r.ok) throw new Error("bad bench event");
  return r.event;
}

async function grow(ledger: Ledger, from: number, to: number, now: number) {
  for (let i = from; i < to; i += 5000) {
    const n = Math.min(5000, to - i);
    // One source per batch (the sequencer appends per source), rotating over the 20.
    await ledger.sequencer.append(
      source(i / 5000),
      Array.from({ length: n }, (_, k) => event(i + k, now, (i + k - from) / (to - from))),
    );
  }
}

const RULES: AlertRuleInput[] = [
  {
    name: "count-denied",
    filter: { outcome: ["denied"] },
    condition: { kind: "count", windowMinutes: 60, threshold: 1_000_000 },
  },
  { name: "baseline-denied", filter: { outcome: ["denied"] }, condition: { kind: "baseline" } },
  { name: "silent-svc-3", filter: { source: source(3) }, condition: { kind: "silent", minutes: 15 } },
  {
    name: "count-requester",
    filter: { requester: "spiffe://bench.example/ns/shop/sa/caller-5" },
    condition: { kind: "count", windowMinutes: 60, threshold: 1_000_000 },
  },
];

async function timeRules(ledger: Ledger, now: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of RULES) {
    const rule = (await ruleByName(ledger.db, r.name))!;
    const runs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      await evaluateRule(ledger, rule, now);
      runs.push(performance.now() - t);
    }
    out[r.name] = Number(runs.sort((a, b) => a - b)[2]!.toFixed(2));
  }
  return out;
}

/** On a moved clock: the first pass past the silence threshold fires; detection = threshold + at most one period + the pass. */
async function silentDetection(ledger: Ledger, periodMs: number) {
  let now = Date.now();
  const engine = new AlertEngine(ledger, {
    evaluateEveryMs: 0,
    smtpUrl: undefined,
    from: "b@localhost",
    now: () => now,
  });
  await ledger.sequencer.append(source(3), [event(3, Date.now(), 1)]);
  const last = Date.now();
  let passes = 0;
  let passMs = 0;
  for (;;) {
    now += periodMs;
    passes++;
    const r = await engine.pass();
    passMs = Math.max(passMs, r.ms);
    if (r.fired) break;
  }
  return { detectedAfterMs: now - last, passes, maxPassMs: Number(passMs.toFixed(1)) };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-alerts-"));
  const config = loadConfig({ ...process.env, LEDGERLINE_DATA_DIR: dir, LEDGERLINE_DEMO: "off", DATABASE_URL: "" });
  const ledger = await openLedger(config);
  const admin = systemPrincipal("bench@localhost");
  try {
    const now = Date.now();
    for (const r of RULES) await createAlertRule(ledger, admin, r);
    const sizes: Record<string, Record<string, number>> = {};
    let t0 = performance.now();
    await grow(ledger, 0, N / 10, now);
    log(`${N / 10} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    sizes[String(N / 10)] = await timeRules(ledger, now);
    log(`evaluation at ${N / 10}: ${JSON.stringify(sizes[String(N / 10)])} ms`);
    t0 = performance.now();
    await grow(ledger, N / 10, N, now);
    log(`${N} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    sizes[String(N)] = await timeRules(ledger, now);
    log(`evaluation at ${N}: ${JSON.stringify(sizes[String(N)])} ms`);
    const silent = await silentDetection(ledger, 30_000);
    log(
      `silent source (15 min rule, 30 s period) detected ${(silent.detectedAfterMs / 60_000).toFixed(2)} min after its last append; slowest pass ${silent.maxPassMs} ms`,
    );
    console.log(`ALERTS_BENCH_JSON ${JSON.stringify({ entries: N, evaluationMs: sizes, silent })}`);
  } finally {
    await ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
