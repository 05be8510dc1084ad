// SIEM streaming throughput (issue 19): a SQLite log of N entries (default 50 000) streamed
// from seq 1 to each kind of destination — real receiver processes (test/support/
// siem-receiver.mjs for HEC, _bulk and NDJSON; a TCP sink process for syslog) — and the
// cost to ingest of two destinations streaming while entries arrive.
// Standalone: npm run bench:siem -- [entries]; prints the figures and a SIEM_BENCH_JSON line.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateEvent } from "@/lib/schemas/event.ts";
import { systemPrincipal } from "@/lib/server/auth/principal.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";
import { createSiemDestination, deleteSiemDestination } from "@/lib/server/siem/service.ts";
import { destinationById } from "@/lib/server/siem/store.ts";
import { SiemStreamer } from "@/lib/server/siem/streamer.ts";
import { startReceiver } from "@/test/support/siem-receiver.ts";

const N = Number(process.argv[2] ?? 50_000);
const INGEST = Math.min(N, 20_000);
const log = (m: string) => console.log(`[bench:siem] ${m}`);
const admin = systemPrincipal("bench@localhost");

function event(i: number) {
  const r = validateEvent({
    timestamp: new Date(Date.now() - 3_600_000 + i).toISOString(),
    eventType: "read",
    requester: { id: `spiffe://bench.example/ns/shop/sa/svc-${i % 97}`, type: "service", ip: `10.0.${i % 250}.7` },
    target: { id: `db://payments-pg/cardholder.cards/${i}`, service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: i % 23 === 0 ? "denied" : "success",
    correlationId: `corr-${i % 5000}`,
    attributes: { "http.response.status_code": 200, bytes: i * 7 },
  });
  if (!r.ok) throw new Error("bad bench event");
  return r.event;
}

async function append(ledger: Ledger, from: number, count: number, batch: number) {
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    await ledger.sequencer.append(
      "spiffe://bench.example/a",
      Array.from({ length: n }, (_, k) => event(from + i + k)),
    );
    if ((i / batch) % 10 === 9) await ledger.sequencer.checkpoint();
  }
  await ledger.sequencer.checkpoint();
}

/** A syslog receiver process that reads octet-counted frames and counts them. */
async function startTcpSink(): Promise<{ port: number; proc: ChildProcess }> {
  const code = `const s=require("node:net").createServer(c=>c.resume());s.listen(0,"127.0.0.1",()=>console.log("listening "+s.address().port));`;
  const proc = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    proc.stdout!.on("data", (b: Buffer) => {
      const m = /listening (\d+)/.exec(b.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  return { port, proc };
}

async function streamAll(ledger: Ledger, input: Parameters<typeof createSiemDestination>[2]) {
  const { id } = await createSiemDestination(ledger, admin, { ...input, startAfterSeq: 0 });
  await ledger.sequencer.checkpoint(); // covers the creation's own meta-audit entry too
  const head = ledger.sequencer.size;
  const streamer = new SiemStreamer(ledger, { maxAttempts: 3, batch: 500, log });
  const t0 = performance.now();
  for (;;) {
    await streamer.pass();
    const d = (await destinationById(ledger.db, id))!;
    if (d.lastError) throw new Error(`${input.name}: ${d.lastError}`);
    if (d.cursorSeq >= head) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  await deleteSiemDestination(ledger, admin, id);
  return Math.round(head / seconds);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-siem-"));
  const config = loadConfig({ ...process.env, LEDGERLINE_DATA_DIR: dir, LEDGERLINE_DEMO: "off", DATABASE_URL: "" });
  const ledger = await openLedger(config);
  const rx = await startReceiver("bench-token");
  const sink = await startTcpSink();
  fs.rmSync(rx.file);
  fs.symlinkSync("/dev/null", rx.file);
  const figures: Record<string, number> = {};
  try {
    await append(ledger, 0, N, 1000);
    log(`${ledger.sequencer.size} entries (incl. meta-audit) appended and checkpointed`);
    const targets = [
      {
        name: "hec-native",
        kind: "splunk-hec",
        format: "native",
        url: `${rx.url}/services/collector/event`,
        secret: "bench-token",
      },
      {
        name: "hec-ocsf",
        kind: "splunk-hec",
        format: "ocsf",
        url: `${rx.url}/services/collector/event`,
        secret: "bench-token",
      },
      { name: "bulk-ecs", kind: "elastic-bulk", format: "native", url: `${rx.url}/_bulk` },
      { name: "ndjson-native", kind: "https-ndjson", format: "native", url: `${rx.url}/ndjson` },
      { name: "syslog-tcp", kind: "syslog-tcp", format: "native", url: `127.0.0.1:${sink.port}` },
    ] as const;
    for (const t of targets) {
      figures[t.name] = await streamAll(ledger, { ...t });
      log(`${t.name}: ${figures[t.name]!.toLocaleString("en-US")} records/s`);
    }
    figures.ingestAlone = await timedIngest(ledger, null);
    figures.ingestStreaming = await timedIngest(ledger, [
      {
        name: "live-hec",
        kind: "splunk-hec",
        format: "ocsf",
        url: `${rx.url}/services/collector/event`,
        secret: "bench-token",
      },
      { name: "live-syslog", kind: "syslog-tcp", format: "native", url: `127.0.0.1:${sink.port}` },
    ]);
    const ratio = figures.ingestStreaming / figures.ingestAlone;
    log(
      `ingest (batch 100): ${figures.ingestAlone} entries/s alone, ${figures.ingestStreaming} with two destinations streaming (${(ratio * 100).toFixed(0)} %)`,
    );
    console.log(`SIEM_BENCH_JSON ${JSON.stringify({ entries: N, ...figures, ingestRatio: ratio })}`);
  } finally {
    rx.proc.kill();
    sink.proc.kill();
    await ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Entries/s of INGEST appends (batch 100), with the given destinations streaming every 200 ms meanwhile. */
async function timedIngest(ledger: Ledger, dests: Array<Parameters<typeof createSiemDestination>[2]> | null) {
  const ids: string[] = [];
  for (const d of dests ?? [])
    ids.push((await createSiemDestination(ledger, admin, { ...d, startAfterSeq: "now" })).id);
  const streamer = new SiemStreamer(ledger, { maxAttempts: 3, batch: 500, log });
  if (dests) streamer.start(200);
  const from = ledger.sequencer.size;
  const t0 = performance.now();
  await append(ledger, from, INGEST, 100);
  const rate = Math.round(INGEST / ((performance.now() - t0) / 1000));
  await streamer.stop();
  for (const id of ids) await deleteSiemDestination(ledger, admin, id);
  return rate;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
