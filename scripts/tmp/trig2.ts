import fs from "node:fs"; import os from "node:os"; import path from "node:path";
import { performance } from "node:perf_hooks";
import { openSqlite } from "@/lib/server/db/driver.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow } from "@/lib/server/ledger/entry.ts";
import { entryLeafHash } from "@/lib/core/index.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { makeEvents } from "../bench/ingest.ts";
const n = 20000, batch = Number(process.argv[2] ?? 500);
const evs = makeEvents(n); const at = new Date().toISOString();
const rows = evs.map((e, i) => { const en = buildEntry(e, i + 1, at, "bench"); return entryToRow(en, entryLeafHash(en, nodeHasher)); });
console.log("distinct cids", new Set(evs.map(e=>e.correlationId)).size);
const variants: Record<string,string> = {
  traces_only: `CREATE TRIGGER t AFTER INSERT ON entries WHEN NEW.correlation_id IS NOT NULL BEGIN INSERT INTO traces (correlation_id, first_ts, last_ts, entries, denied, failed) VALUES (NEW.correlation_id, NEW.ts, NEW.ts, 1, NEW.outcome = 'denied', NEW.outcome = 'failure') ON CONFLICT (correlation_id) DO UPDATE SET first_ts = min(first_ts, excluded.first_ts), last_ts = max(last_ts, excluded.last_ts), entries = entries + 1, denied = denied + excluded.denied, failed = failed + excluded.failed; END;`,
  services_only: `CREATE TRIGGER t AFTER INSERT ON entries WHEN NEW.correlation_id IS NOT NULL BEGIN INSERT INTO trace_services (correlation_id, name, last_ts) SELECT NEW.correlation_id, NEW.target_service, NEW.ts WHERE NEW.target_service IS NOT NULL ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts); END;`,
  services_values: `CREATE TRIGGER t AFTER INSERT ON entries WHEN NEW.correlation_id IS NOT NULL AND NEW.target_service IS NOT NULL BEGIN INSERT INTO trace_services (correlation_id, name, last_ts) VALUES (NEW.correlation_id, NEW.target_service, NEW.ts) ON CONFLICT (correlation_id, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts); END;`,
  noop: `CREATE TRIGGER t AFTER INSERT ON entries WHEN NEW.correlation_id IS NOT NULL BEGIN SELECT 1; END;`,
};
for (const [name, sql] of Object.entries(variants)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trig-"));
  const db = openSqlite(path.join(dir, "l.db"));
  for (const f of fs.readdirSync("prisma/migrations/sqlite").filter((f) => f.endsWith(".sql")).sort()) db.exec(fs.readFileSync(path.join("prisma/migrations/sqlite", f), "utf8"));
  db.exec("DROP TRIGGER entries_trace_rollup"); db.exec(sql);
  const st = db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map(() => "?").join(", ")})`);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) { db.exec("BEGIN IMMEDIATE"); for (let j = i; j < Math.min(i + batch, n); j++) st.run(...(rows[j] as never[])); db.exec("COMMIT"); }
  const ms = performance.now() - t0;
  console.log(name, Math.round(n / ms * 1000), "rows/s");
  db.close(); fs.rmSync(dir, { recursive: true });
}
