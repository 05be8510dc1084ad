// A benchmark dataset of N real log entries written straight into SQLite: every
// row is what the sequencer would have stored (RFC 8785 bytes → leaf hash via
// the server's own canonicalEntryFromRow, stored subtree hashes in merkle_nodes,
// Ed25519-signed checkpoints every million entries and at the end, a registered
// signing key), so `verify-log`, proofs, the explorer and a server can run on it.
// Shaped like a fleet: ~200 requesters, ~500 targets, 30 days, an outcome mix,
// multi-hop traces under shared correlation ids (some exactly 50 entries long).
//
// Built once per (size, GENERATOR_VERSION) and cached under
// BENCH_CACHE_DIR (default <tmp>/ledgerline-bench-cache); a `.done` file marks a
// complete build, so an interrupted one is redone. Standalone:
//   tsx --conditions=react-server scripts/bench/generate.ts 10000000
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import {
  CompactRange,
  formatCheckpoint,
  generateSigningKey,
  keyId,
  signNote,
  signerKeyString,
  toHex,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { assertGuards } from "@/lib/server/db/guards.ts";
import { migrate, migrationsDir, readMigrations } from "@/lib/server/db/migrate.ts";
import { ENTRY_COLUMNS, rowLeafHash, type EntryRow } from "@/lib/server/ledger/entry.ts";
import { isStoredLevel } from "@/lib/server/ledger/tree.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { seededRandom } from "@/test/support/prng.ts";
import { ROLLUP_REBUILD } from "./rollups.ts";

/** Bump when the shape of generated data changes: old caches are then ignored. */
export const GENERATOR_VERSION = 2;
export const DATASET_ORIGIN = "bench.ledgerline.dev/dataset";
/** The data spans the 30 days before this instant (fixed, so cached sets stay comparable). */
export const DATASET_END = "2026-11-27T00:00:00.000Z";
const DAYS = 30;
const CHECKPOINT_EVERY = 1_000_000;

export type DatasetMeta = {
  entries: number;
  generatorVersion: number;
  origin: string;
  keyName: string;
  publicKey: number[];
  verifierKey: string;
  /** Correlation ids of traces with exactly 50 entries. */
  trace50: string[];
  /** Correlation ids of some ordinary multi-hop traces (2–20 entries). */
  traceSmall: string[];
  /** Frequent requester / target ids (for filtered queries). */
  topRequesters: string[];
  topTargets: string[];
  from: string;
  to: string;
  buildMs: number;
  createdAt: string;
};

export type Dataset = { dir: string; file: string; meta: DatasetMeta; reused: boolean };

export function cacheDir(): string {
  return process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), "ledgerline-bench-cache");
}

/**
 * Keyed by size and generator version only: a migration added later is applied to a
 * cached set by openLedger, as a server upgrade would, instead of rebuilding 10 M rows.
 */
export function datasetDir(n: number): string {
  return path.join(cacheDir(), `entries-${n}-g${GENERATOR_VERSION}`);
}

const NAMESPACES = ["shop", "payments", "identity", "comms", "analytics", "edge", "search", "billing", "ml", "ops"];
const TARGET_KINDS = [
  {
    type: "api",
    make: (svc: string, k: number) =>
      `https://${svc}.svc.cluster.local/v1/${["orders", "users", "charges", "items", "tokens"][k % 5]}/{id}`,
  },
  {
    type: "db",
    make: (svc: string, k: number) =>
      `db://${svc}-pg/public.${["orders", "users", "cards", "events", "ledger"][k % 5]}_${k % 7}`,
  },
  {
    type: "queue",
    make: (svc: string, k: number) => `queue://${svc}/${["created", "updated", "deleted", "retry"][k % 4]}-${k % 11}`,
  },
  { type: "bucket", make: (svc: string, k: number) => `s3://${svc}-data/exports/${k % 13}/` },
] as const;
const EVENT_TYPES = [
  "read",
  "read",
  "read",
  "read",
  "write",
  "write",
  "modify",
  "delete",
  "execute",
  "authenticate",
] as const;
const SOURCES = Array.from({ length: 12 }, (_, i) => `spiffe://prod.example.com/ns/mesh/sa/observer-${i}`);

type Fleet = {
  requesters: Array<{ id: string; type: string; ip: string }>;
  targets: Array<{ id: string; service: string; type: string; action: string }>;
};

function makeFleet(): Fleet {
  const r = seededRandom(7);
  const requesters = Array.from({ length: 200 }, (_, i) => {
    const ns = NAMESPACES[i % NAMESPACES.length]!;
    const type = i % 25 === 0 ? "job" : i % 40 === 1 ? "workload" : "service";
    return {
      id: `spiffe://prod.example.com/ns/${ns}/sa/${ns}-svc-${i}`,
      type,
      ip: `10.${(i >> 4) & 255}.${i & 15}.${Math.floor(r() * 250) + 2}`,
    };
  });
  const targets = Array.from({ length: 500 }, (_, i) => {
    const service = `${NAMESPACES[i % NAMESPACES.length]}-${Math.floor(i / NAMESPACES.length) % 8}`;
    const kind = TARGET_KINDS[i % TARGET_KINDS.length]!;
    const id = `${kind.make(service, i)}#${i}`;
    const action =
      kind.type === "api"
        ? `${["GET", "POST", "PUT", "DELETE"][i % 4]} /v1/r${i % 17}/{id}`
        : kind.type === "db"
          ? `SELECT t${i % 9}`
          : kind.type === "queue"
            ? "publish"
            : "GetObject";
    return { id, service, type: kind.type, action };
  });
  return { requesters, targets };
}

/** Skewed pick in [0, n): a few hot values and a long tail, like real fleets. */
const skewed = (r: () => number, n: number) => Math.min(n - 1, Math.floor(n * r() ** 2.2));

type Trace = { id: string; left: number; length: number; requester: number };

/**
 * The entries of a log of `n`, one row at a time, from one seeded sequence: ~48 traces
 * open at once, each walking the fleet hop by hop; 8 % of accesses carry no trace.
 * Every call of `r()` is part of the data set's identity — reorder none of them, or bump
 * GENERATOR_VERSION.
 */
class EntryGenerator {
  readonly trace50: string[] = [];
  readonly traceSmall: string[] = [];
  readonly startMs: number;
  readonly #fleet = makeFleet();
  readonly #r: () => number;
  readonly #step: number;
  readonly #active: Trace[] = [];
  #traces = 0;

  constructor(n: number) {
    this.#r = seededRandom(20261127 ^ n);
    const endMs = Date.parse(DATASET_END);
    this.startMs = endMs - DAYS * 86_400_000;
    this.#step = (endMs - this.startMs) / n;
    for (let i = 0; i < 48; i++) this.#active.push(this.#newTrace());
  }

  #hex32(): string {
    let s = "";
    for (let i = 0; i < 4; i++)
      s += Math.floor(this.#r() * 4294967296)
        .toString(16)
        .padStart(8, "0");
    return s;
  }

  #newTrace(): Trace {
    const r = this.#r;
    this.#traces++;
    // Every 4 000th trace is exactly 50 hops: the timeline's worst common case.
    const roll = r();
    const length =
      this.#traces % 4000 === 17
        ? 50
        : roll < 0.45
          ? 1
          : roll < 0.9
            ? 2 + Math.floor(r() * 4)
            : 6 + Math.floor(r() * 15);
    const t = { id: this.#hex32(), left: length, length, requester: skewed(r, this.#fleet.requesters.length) };
    if (length >= 4 && length < 50 && this.traceSmall.length < 200 && this.#traces % 50 === 0)
      this.traceSmall.push(t.id);
    return t;
  }

  /** The requester of the next access and its correlation id (null: no trace context). */
  #hop(): { req: number; correlation: string | null } {
    const r = this.#r;
    if (r() < 0.08) return { req: skewed(r, this.#fleet.requesters.length), correlation: null };
    const slot = Math.floor(r() * this.#active.length);
    const t = this.#active[slot]!;
    // A trace walks the fleet: the first hop is its caller, later hops its callees.
    const req =
      t.left === t.length ? t.requester : (t.requester + 7 * (t.length - t.left)) % this.#fleet.requesters.length;
    if (--t.left === 0) {
      if (t.length === 50) this.trace50.push(t.id); // only complete ones
      this.#active[slot] = this.#newTrace();
    }
    return { req, correlation: t.id };
  }

  /** Row i (seq i + 1), its leaf hash still to compute. */
  row(i: number): EntryRow {
    const r = this.#r;
    const seq = i + 1;
    const tsMs = Math.floor(this.startMs + i * this.#step + r() * Math.min(this.#step, 1000));
    const ts = new Date(tsMs).toISOString();
    const receivedAt = new Date(tsMs + 5 + Math.floor(r() * 400)).toISOString();
    const { req, correlation } = this.#hop();
    const rq = this.#fleet.requesters[req]!;
    const tg = this.#fleet.targets[skewed(r, this.#fleet.targets.length)]!;
    const o = r();
    const outcome = o < 0.93 ? "success" : o < 0.975 ? "failure" : "denied";
    const status = outcome === "success" ? 200 : outcome === "denied" ? 403 : 500 + Math.floor(r() * 4);
    return {
      seq,
      event_id: `evt-${seq.toString(36)}-${Math.floor(r() * 1e9).toString(36)}`,
      source: SOURCES[req % SOURCES.length]!,
      ts,
      received_at: receivedAt,
      event_type: EVENT_TYPES[Math.floor(r() * EVENT_TYPES.length)]!,
      requester_id: rq.id,
      requester_type: rq.type,
      requester_ip: req % 3 === 0 ? null : rq.ip,
      target_id: tg.id,
      target_service: tg.service,
      target_type: tg.type,
      action: tg.action,
      outcome,
      correlation_id: correlation,
      reason:
        outcome === "denied" ? "not in the allow list" : outcome === "failure" ? `upstream error ${status}` : null,
      // Canonical (RFC 8785) text, as the server stores it: keys sorted.
      attributes: r() < 0.7 ? `{"bytes":${Math.floor(r() * 65536)},"http.response.status_code":${status}}` : null,
      leaf_hash: new Uint8Array(0),
    };
  }
}

type DatasetKey = ReturnType<typeof generateSigningKey> & { kid: string };

/** The schema exactly as a server creates it (migrations recorded, guards checked), opened for a fast bulk load. */
async function createDatasetFile(
  file: string,
): Promise<{ db: Database.Database; indexes: Array<{ name: string; sql: string }> }> {
  const driver = openDriver({ dialect: "sqlite", file, url: `file:${file}` });
  await migrate(driver, readMigrations(migrationsDir("sqlite", path.resolve(import.meta.dirname, "../.."))));
  await assertGuards(driver);
  await driver.close();

  const db = new Database(file);
  // A fixture: durability is not what is measured, build speed is.
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -262144");
  db.pragma("temp_store = MEMORY");
  // Secondary indexes are dropped and rebuilt afterwards from their own SQL
  // (a sort instead of 10 M random B-tree inserts), so they end up identical.
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL")
    .all() as Array<{ name: string; sql: string }>;
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
  return { db, indexes };
}

/** A fresh signing key, registered; its key file lets a server (LEDGERLINE_DATA_DIR=dir) keep signing this log. */
function registerKey(db: Database.Database, dir: string): DatasetKey {
  const k = generateSigningKey(DATASET_ORIGIN);
  const kid = toHex(keyId(k.name, k.publicKey));
  const keyCreated = new Date(Date.now() - 1000).toISOString();
  db.prepare(
    "INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (?, ?, ?, ?, ?)",
  ).run(kid, k.name, k.publicKey, verifierKeyString(k.name, k.publicKey), keyCreated);
  fs.writeFileSync(path.join(dir, "signing-key"), signerKeyString(k.name, k.seed) + "\n", { mode: 0o600 });
  return { ...k, kid };
}

/** Writes the n entries with their leaf hashes, stored subtree hashes and checkpoints, 100 000 per transaction. */
function writeEntries(db: Database.Database, n: number, gen: EntryGenerator, k: DatasetKey, log: (m: string) => void) {
  const insert = db.prepare(
    `INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map(() => "?").join(", ")})`,
  );
  const insertNode = db.prepare("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)");
  const insertCp = db.prepare(
    "INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const range = CompactRange.empty(nodeHasher);
  const CHUNK = 100_000;
  const t0 = performance.now();
  let lastLog = t0;
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    db.transaction(() => {
      for (let i = start; i < end; i++) {
        const row = gen.row(i);
        const seq = row.seq;
        const leaf = rowLeafHash(row);
        insert.run(...ENTRY_COLUMNS.map((c) => (c === "leaf_hash" ? leaf : row[c])));
        for (const node of range.append(leaf))
          if (isStoredLevel(node.level)) insertNode.run(node.level, node.index, node.hash);
        if (seq % CHECKPOINT_EVERY === 0 || seq === n) {
          const note = signNote(formatCheckpoint({ origin: DATASET_ORIGIN, size: seq, rootHash: range.root() }), [
            { name: k.name, seed: k.seed },
          ]);
          insertCp.run(seq, range.root(), note, k.kid, new Date().toISOString());
        }
      }
    })();
    if (performance.now() - lastLog > 5000 || end === n) {
      lastLog = performance.now();
      const s = (performance.now() - t0) / 1000;
      log(
        `generated ${end.toLocaleString("en-US")} / ${n.toLocaleString("en-US")} entries (${Math.round(end / s).toLocaleString("en-US")}/s)`,
      );
    }
  }
}

/** Rebuilds the dropped indexes and the histogram rollup, then checks the guards as a server would. */
async function finishDatasetFile(
  db: Database.Database,
  file: string,
  indexes: Array<{ name: string; sql: string }>,
  log: (m: string) => void,
) {
  for (const ix of indexes) {
    const t = performance.now();
    db.exec(ix.sql);
    log(`index ${ix.name} rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  // The rollups the sequencer keeps (histogram, type facet, alerts' per-source counts).
  const t = performance.now();
  db.transaction(() => {
    for (const sql of ROLLUP_REBUILD) db.exec(sql);
  })();
  log(`rollups rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  db.close();
  // As the server opens it: WAL, and the guards checked once more.
  const check = openDriver({ dialect: "sqlite", file, url: `file:${file}` });
  await assertGuards(check);
  await check.close();
}

function datasetMeta(file: string, n: number, k: DatasetKey, gen: EntryGenerator, buildMs: number): DatasetMeta {
  const counts = new Database(file, { readonly: true });
  const top = (col: string) =>
    (
      counts
        .prepare(`SELECT ${col} AS v FROM entries WHERE seq <= 200000 GROUP BY ${col} ORDER BY COUNT(*) DESC LIMIT 5`)
        .all() as Array<{ v: string }>
    ).map((x) => x.v);
  try {
    return {
      entries: n,
      generatorVersion: GENERATOR_VERSION,
      origin: DATASET_ORIGIN,
      keyName: k.name,
      publicKey: [...k.publicKey],
      verifierKey: verifierKeyString(k.name, k.publicKey),
      trace50: gen.trace50,
      traceSmall: gen.traceSmall,
      topRequesters: top("requester_id"),
      topTargets: top("target_id"),
      from: new Date(gen.startMs).toISOString(),
      to: DATASET_END,
      buildMs,
      createdAt: new Date().toISOString(),
    };
  } finally {
    counts.close();
  }
}

/** A cached dataset from before a rollup existed (or was filled by the loader): rebuilt once, in place. */
function fillEmptyRollups(file: string, log: (m: string) => void): void {
  const db = new Database(file);
  try {
    const tables = ["entry_counts", "type_counts", "source_counts", "source_activity"];
    const exists = (t: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(t);
    const empty = (t: string) => !db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get();
    // An older cache without these tables gets them from the migrations when a ledger opens it.
    if (!tables.every(exists) || !tables.some(empty)) return;
    const t = performance.now();
    db.transaction(() => {
      for (const sql of ROLLUP_REBUILD) db.exec(sql);
    })();
    log(`cached log: rollups rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    db.close();
  }
}

/**
 * Builds (or finds in the cache) a dataset of `n` entries. Progress goes to `log`.
 */
export async function ensureDataset(n: number, log: (m: string) => void = () => {}): Promise<Dataset> {
  const dir = datasetDir(n);
  const file = path.join(dir, "ledgerline.db");
  const done = path.join(dir, "dataset.json");
  if (fs.existsSync(done) && fs.existsSync(file) && process.env.BENCH_REGENERATE !== "1") {
    fillEmptyRollups(file, log);
    return { dir, file, meta: JSON.parse(fs.readFileSync(done, "utf8")) as DatasetMeta, reused: true };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const t0 = performance.now();
  const { db, indexes } = await createDatasetFile(file);
  const k = registerKey(db, dir);
  const gen = new EntryGenerator(n);
  writeEntries(db, n, gen, k, log);
  await finishDatasetFile(db, file, indexes, log);
  const meta = datasetMeta(file, n, k, gen, Math.round(performance.now() - t0));
  fs.writeFileSync(done, JSON.stringify(meta, null, 1));
  return { dir, file, meta, reused: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1_000_000);
  ensureDataset(n, (m) => console.log(`[generate] ${m}`)).then(
    (d) =>
      console.log(
        `[generate] ${d.reused ? "reused" : "built"} ${d.file} in ${(d.meta.buildMs / 1000).toFixed(1)} s; ${d.meta.trace50.length} traces of 50`,
      ),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
