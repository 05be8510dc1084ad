// Ingest cost of leaf v2 commitments (issue 18 part 2): the same events prepared (validate
// output → canonical parts, in the worker-pool path) and appended by the sequencer to a fresh
// SQLite log, once as v1 leaves and once with /requester/ip and /attributes/user committed.
// Standalone: npm run bench:commitments -- [events]; prints the figures and a COMMIT_BENCH_JSON line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { prepareEvent } from "@/lib/server/ledger/prepared-event.ts";

const N = Number(process.argv[2] ?? 50_000);
const PERSONAL = ["/requester/ip", "/attributes/user"];
const log = (m: string) => console.log(`[bench:commitments] ${m}`);

function events(): NormalizedEvent[] {
  return Array.from({ length: N }, (_, i) => {
    const r = validateEvent({
      timestamp: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
      eventType: "read",
      requester: { id: `spiffe://bench.example/sa/svc-${i % 97}`, type: "service", ip: `10.0.${i % 250}.${i % 199}` },
      target: { id: `db://payments/cards/${i}`, service: "payments", type: "db" },
      action: "SELECT cards",
      outcome: "success",
      attributes: { user: `user-${i % 5000}@example.com`, "http.response.status_code": 200 },
    });
    if (!r.ok) throw new Error("bad bench event");
    return r.event;
  });
}

async function run(personal: string[]): Promise<{ prepareMs: number; appendMs: number }> {
  const evs = events();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-commit-"));
  const config = loadConfig({ ...process.env, LEDGERLINE_DATA_DIR: dir, LEDGERLINE_DEMO: "off", DATABASE_URL: "" });
  const ledger = await openLedger(config);
  try {
    let t = performance.now();
    const prepared = evs.map((e) => prepareEvent(e, personal));
    const prepareMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < prepared.length; i += 500) {
      const r = await ledger.sequencer.appendPrepared("spiffe://bench.example/src", prepared.slice(i, i + 500));
      if (!r.ok) throw new Error("append failed");
    }
    return { prepareMs, appendMs: performance.now() - t };
  } finally {
    await ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  await run([]); // warm-up: JIT, file system
  const v1 = await run([]);
  const v2 = await run(PERSONAL);
  const ratio = (a: number, b: number) => Number((b / a).toFixed(2));
  const out = {
    events: N,
    v1: { prepareMs: Math.round(v1.prepareMs), appendMs: Math.round(v1.appendMs) },
    v2: { prepareMs: Math.round(v2.prepareMs), appendMs: Math.round(v2.appendMs) },
    prepareRatio: ratio(v1.prepareMs, v2.prepareMs),
    totalRatio: ratio(v1.prepareMs + v1.appendMs, v2.prepareMs + v2.appendMs),
  };
  log(`${N} events: prepare v1 ${out.v1.prepareMs} ms, v2 ${out.v2.prepareMs} ms (×${out.prepareRatio})`);
  log(
    `prepare + append: v1 ${out.v1.prepareMs + out.v1.appendMs} ms, v2 ${out.v2.prepareMs + out.v2.appendMs} ms (×${out.totalRatio})`,
  );
  console.log(`COMMIT_BENCH_JSON ${JSON.stringify(out)}`);
}

void main();
