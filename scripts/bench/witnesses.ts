// Witness cosigning, measured with real `ledgerline witness serve` processes on 127.0.0.1:
//   - checkpoint latency with 1 and 3 witnesses: from signing a checkpoint to the quorum of
//     cosignatures stored (p50 / p99 over sequential rounds of 100 new entries each);
//   - append throughput with witnesses on vs off: events/s through the sequencer (batches of
//     500, a checkpoint every 2 000 entries, every checkpoint sent to 3 witnesses in the
//     background) — the cost the cosigner puts on the writer.
// Standalone: tsx --conditions=react-server scripts/bench/witnesses.ts [rounds] — prints the
// figures and a BENCH_JSON line (machine-readable).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSigningKey, signerKeyString, verifierKeyString } from "@/lib/core/index.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { cosignaturesOf } from "@/lib/server/ledger/store/cosignatures.ts";
import { createRuntime, type Runtime } from "@/lib/server/runtime/runtime.ts";
import {
  killWitness,
  startWitness,
  witnessKey,
  witnessesEnv,
  type WitnessProcess,
} from "../../test/support/witness-process.ts";

const ROUNDS = Number(process.argv[2] ?? 50);
const THROUGHPUT_EVENTS = 20_000;
const ORIGIN = "bench.test/witnessed";
const LOG = generateSigningKey(ORIGIN);
const LOG_VKEY = verifierKeyString(LOG.name, LOG.publicKey);
const log = (m: string) => console.log(`[bench:witnesses] ${m}`);

function events(n: number, tag: string): NormalizedEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const r = validateEvent({
      timestamp: new Date().toISOString(),
      eventType: "read",
      requester: { id: `spiffe://bench/${tag}`, type: "service" },
      target: { id: `db://bench/${i}`, service: "bench", type: "db" },
      action: "SELECT",
      outcome: "success",
    });
    if (!r.ok) throw new Error("bench event invalid");
    return r.event;
  });
}

async function runtimeWith(
  ws: WitnessProcess[],
  quorum: number,
  extra: Record<string, string> = {},
): Promise<{ rt: Runtime; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-witness-"));
  const config = loadConfig({
    LEDGERLINE_DATA_DIR: dir,
    LEDGERLINE_DEMO: "off",
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_SIGNING_KEY: signerKeyString(LOG.name, LOG.seed),
    ...(ws.length ? { LEDGERLINE_WITNESSES: witnessesEnv(ws), LEDGERLINE_WITNESS_QUORUM: String(quorum) } : {}),
    ...extra,
  });
  const rt = createRuntime(await openLedger(config));
  rt.cosigner.start();
  return { rt, dir };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Sign → quorum stored, `ROUNDS` times. */
async function checkpointLatency(
  ws: WitnessProcess[],
): Promise<{ witnesses: number; p50: number; p99: number; max: number }> {
  const quorum = Math.floor(ws.length / 2) + 1;
  const { rt, dir } = await runtimeWith(ws, quorum, { LEDGERLINE_CHECKPOINT_EVERY: "10000000" });
  const ms: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      await rt.sequencer.append("spiffe://bench/latency", events(100, "latency"));
      const t0 = performance.now();
      const cp = await rt.sequencer.checkpoint();
      for (;;) {
        if ((await cosignaturesOf(rt.db, cp!.treeSize)).length >= quorum) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      ms.push(performance.now() - t0);
    }
  } finally {
    await rt.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { witnesses: ws.length, p50: pct(ms, 50), p99: pct(ms, 99), max: Math.max(...ms) };
}

async function throughput(ws: WitnessProcess[]): Promise<{ witnesses: number; eventsPerSecond: number }> {
  const { rt, dir } = await runtimeWith(ws, ws.length ? 2 : 0, { LEDGERLINE_CHECKPOINT_EVERY: "2000" });
  try {
    await rt.sequencer.checkpoint(); // loads the key: appends sign inline from now on
    const t0 = performance.now();
    for (let done = 0; done < THROUGHPUT_EVENTS; done += 500)
      await rt.sequencer.append("spiffe://bench/tp", events(500, "tp"));
    const s = (performance.now() - t0) / 1000;
    await rt.cosigner.settle();
    return { witnesses: ws.length, eventsPerSecond: Math.round(THROUGHPUT_EVENTS / s) };
  } finally {
    await rt.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const keys = ["a", "b", "c"].map((n) => witnessKey(`bench.test/witness-${n}`));
  const ws: WitnessProcess[] = [];
  try {
    for (const k of keys) ws.push(await startWitness(k, LOG_VKEY));
    const latency = [];
    for (const n of [1, 3]) {
      // Fresh witness state per run: each bench log starts at size 0.
      latency.push(await checkpointLatency(ws.slice(0, n)));
      for (const w of ws) await killWitness(w);
      for (const [i, k] of keys.entries()) {
        fs.rmSync(path.join(k.dir, "state"), { recursive: true, force: true });
        ws[i] = await startWitness(k, LOG_VKEY);
      }
    }
    const off = await throughput([]);
    const on = await throughput(ws);
    for (const l of latency)
      log(
        `checkpoint → quorum stored, ${l.witnesses} witness(es): p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms (${ROUNDS} rounds)`,
      );
    log(
      `appends: ${off.eventsPerSecond} events/s without witnesses, ${on.eventsPerSecond} events/s with 3 (batches of 500)`,
    );
    console.log(
      `BENCH_JSON ${JSON.stringify({ witnesses: { rounds: ROUNDS, latency, throughput: [off, on], cores: os.cpus().length, loadavg: os.loadavg()[0] } })}`,
    );
  } finally {
    for (const w of ws) await killWitness(w);
    for (const k of keys) fs.rmSync(k.dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`[bench:witnesses] ${(e as Error).stack ?? e}`);
  process.exit(1);
});
