// Sections 2 and 3 of the bench: the explorer's page and histogram queries (and the
// 50-entry timeline) on generated logs, on SQLite and PostgreSQL, with plans and indexes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import type { EventFilter } from "@/lib/core/index.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { migrate } from "@/lib/server/db/migrate.ts";
import { numberPlaceholders, openDriver } from "@/lib/server/db/driver.ts";
import { filterWhere } from "@/lib/server/events/filter-sql.ts";
import { queryEvents, queryHistogram } from "@/lib/server/events/query.ts";
import { queryFacets } from "@/lib/server/events/facets.ts";
import { ENTRY_COLUMNS } from "@/lib/server/ledger/entry.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";
import { createDatabase, type PgCluster } from "../../test/support/pg-cluster.ts";
import type { Dataset } from "./generate.ts";
import { dbBytes } from "./ingest.ts";
import { benchTrace, timeTraceSearch } from "./trace.ts";
import { pageSql } from "@/lib/server/traces/search.ts";
import { QUERY_RUNS, fmt, log, timeRuns } from "./config.ts";
import { ROLLUP_REBUILD } from "./rollups.ts";

export type QueryFigures = { name: string; p50: number; p95: number; rows: number };
export type ExplorerRun = {
  store: string;
  entries: number;
  queries: QueryFigures[];
  plans: Array<{ name: string; plan: string }>;
  indexes: string[];
  bytesPerM: number;
  trace?: { p50: number; p95: number; traces: number } | { skipped: string };
};

const DAY = 86_400_000;

function explorerFilters(ds: Dataset): {
  page: (i: number) => EventFilter;
  day: EventFilter;
  week: EventFilter;
  deniedDay: EventFilter;
} {
  const to = ds.meta.to;
  const from = new Date(Date.parse(to) - DAY).toISOString();
  return {
    page: (i) => ({ requester: ds.meta.topRequesters[i % ds.meta.topRequesters.length]!, from, to }),
    day: { from, to },
    week: { from: new Date(Date.parse(to) - 7 * DAY).toISOString(), to },
    deniedDay: { from, to, outcome: ["denied"] },
  };
}

/**
 * The facet counts on the outcome/type chips (lib/server/events/facets.ts) as the
 * explorer asks for them: beside a histogram the page already has (not timed), so
 * only the facets' own queries count. Rows = entries the type facet counted.
 */
async function timeFacets(ledger: Ledger, filters: Array<[string, EventFilter]>): Promise<QueryFigures[]> {
  const out: QueryFigures[] = [];
  for (const [name, filter] of filters) {
    const histogram = await queryHistogram(ledger, filter);
    const t = await timeRuns(QUERY_RUNS, async () => {
      const f = await queryFacets(ledger, filter, histogram);
      return Object.values(f.eventType).reduce((a, b) => a + b, 0);
    });
    out.push({ name: `facets (${name})`, ...t });
  }
  return out;
}

/**
 * The SQL search.ts runs for these two queries, rebuilt for EXPLAIN: the page from the
 * same filterWhere; the histogram of a range aligned to 10-minute buckets with no other
 * filter from the entry_counts rollup (search.ts histogramRows; the sequencer keeps it).
 */
function explorerSql(filter: EventFilter, dialect: "sqlite" | "postgres", kind: "page" | "histogram") {
  const where = filterWhere(filter, dialect);
  return kind === "page"
    ? { sql: `SELECT * FROM entries WHERE ${where.sql} ORDER BY ts DESC, seq DESC LIMIT 101`, params: where.params }
    : {
        sql: "SELECT substr(bucket, 1, 13) AS b, outcome, SUM(n) AS n FROM entry_counts WHERE bucket >= ? AND bucket < ? GROUP BY 1, 2",
        params: [filter.from!.slice(0, 15), filter.to!.slice(0, 15)],
      };
}

export async function openDatasetLedger(ds: Dataset): Promise<Ledger> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGERLINE_DATA_DIR: ds.dir,
    LEDGERLINE_DEMO: "off",
    LEDGERLINE_ORIGIN: ds.meta.origin,
  };
  delete env.DATABASE_URL;
  delete env.LEDGERLINE_SIGNING_KEY;
  return openLedger(loadConfig(env));
}

async function benchTraceOf(ledger: Ledger, ids: string[]): Promise<ExplorerRun["trace"]> {
  if (!ids.length) return { skipped: "no 50-entry trace in this log" };
  const r = await benchTrace(ledger, ids.slice(0, 20), QUERY_RUNS * 2);
  return { ...r, traces: Math.min(ids.length, 20) };
}

/** The timed queries of one store under the names the report prints (the same for both stores). */
function namedQueries(
  t: Pick<Awaited<ReturnType<typeof timeExplorer>>, "page" | "hist" | "facets">,
  search: Awaited<ReturnType<typeof timeTraceSearch>>,
) {
  return [
    { name: "page (requester + 24 h, 100 rows)", ...t.page },
    { name: "histogram (24 h; rows = entries counted)", ...t.hist },
    { name: "trace search (recent / has denied / one service, 25 traces)", ...search },
    ...t.facets,
  ];
}

/** The page and histogram queries (QUERY_RUNS each, timed) and the 50-entry timeline on one store. */
async function timeExplorer(ledger: Ledger, ds: Dataset) {
  const f = explorerFilters(ds);
  const page = await timeRuns(
    QUERY_RUNS,
    async (i) => (await queryEvents(ledger, f.page(i), { sort: "-ts", limit: 100 })).items.length,
  );
  const hist = await timeRuns(QUERY_RUNS, async () => (await queryHistogram(ledger, f.day)).total);
  const facets = await timeFacets(ledger, [
    ["24 h", f.day],
    ["7 days, the explorer's default", f.week],
    ["denied in 24 h: one more histogram", f.deniedDay],
  ]);
  const trace = await benchTraceOf(ledger, ds.meta.trace50);
  return { f, page, hist, facets, trace };
}

export async function benchExplorerSqlite(ds: Dataset): Promise<ExplorerRun> {
  const ledger = await openDatasetLedger(ds);
  try {
    const { f, page, hist, facets, trace } = await timeExplorer(ledger, ds);
    const search = await timeTraceSearch(ledger, QUERY_RUNS);
    const raw = new Database(ds.file, { readonly: true });
    const plan = (kind: "page" | "histogram", filter: EventFilter) => {
      const q = explorerSql(filter, "sqlite", kind);
      return (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as never[])) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("\n");
    };
    const plans = [
      { name: "page: requester + 24 h, newest first", plan: plan("page", f.page(0)) },
      { name: "histogram: 24 h by hour × outcome (from the entry_counts rollup)", plan: plan("histogram", f.day) },
      ...(["recent", "denied"] as const).map((k) => {
        const q = pageSql(k === "denied" ? { status: "denied" } : {}, null, 25);
        const rows = raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as Array<{ detail: string }>;
        return { name: `trace search: ${k}, newest first`, plan: rows.map((r) => r.detail).join("\n") };
      }),
    ];
    const indexes = (
      raw
        .prepare(
          "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name",
        )
        .all() as Array<{ sql: string }>
    ).map((r) => r.sql);
    raw.close();
    return {
      store: "SQLite",
      entries: ds.meta.entries,
      queries: namedQueries({ page, hist, facets }, search),
      plans,
      indexes: ["entries (seq) — INTEGER PRIMARY KEY (rowid)", ...indexes],
      bytesPerM: (dbBytes(ds.file) / ds.meta.entries) * 1e6,
      trace,
    };
  } finally {
    await ledger.close();
  }
}

/** Copies the entries of a generated log into a fresh, migrated PostgreSQL database (indexes built after the load). */
async function loadIntoPostgres(ds: Dataset, url: string): Promise<number> {
  const driver = openDriver({ dialect: "postgres", url });
  await migrate(driver);
  await driver.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    const idx = (
      await c.query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'entries' AND indexname NOT LIKE '%pkey'",
      )
    ).rows as Array<{ indexname: string; indexdef: string }>;
    for (const i of idx) await c.query(`DROP INDEX ${i.indexname}`);
    const src = new Database(ds.file, { readonly: true });
    const cols = ENTRY_COLUMNS.join(", ");
    const per = 2000;
    let chunk: unknown[][] = [];
    let done = 0;
    const flush = async () => {
      if (!chunk.length) return;
      const values = chunk.map((r, k) => `(${r.map((_, j) => `$${k * r.length + j + 1}`).join(", ")})`).join(", ");
      await c.query(`INSERT INTO entries (${cols}) VALUES ${values}`, chunk.flat());
      done += chunk.length;
      chunk = [];
      if (done % 200_000 === 0) log(`    PostgreSQL: loaded ${fmt(done)} / ${fmt(ds.meta.entries)}`);
    };
    await c.query("BEGIN");
    for (const r of src.prepare(`SELECT ${cols} FROM entries ORDER BY seq`).raw().iterate() as Iterable<unknown[]>) {
      chunk.push(r);
      if (chunk.length === per) await flush();
    }
    await flush();
    await c.query("COMMIT");
    src.close();
    for (const i of idx) await c.query(i.indexdef);
    // The rollups the sequencer keeps in the append transaction (histogram, type facet, alerts).
    for (const sql of ROLLUP_REBUILD) await c.query(sql);
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
  return performance.now() - t0;
}

export type Timing = { p50: number; p95: number; rows: number };

type PgExplorerCtx = { c: pg.Client; ledger: Ledger; f: ReturnType<typeof explorerFilters> };

/** EXPLAIN (ANALYZE, BUFFERS) of the query search.ts runs, as text. */
async function explainPg(c: pg.Client, kind: "page" | "histogram", filter: EventFilter): Promise<string> {
  const q = explorerSql(filter, "postgres", kind);
  const text = numberPlaceholders(q.sql);
  const rows = (await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`, q.params as unknown[])).rows as Array<{
    "QUERY PLAN": string;
  }>;
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

/**
 * What the (requester_id, ts, seq) index buys: the busiest requesters' pages and the least
 * busy one's, with the index and without it — dropped inside a transaction that is rolled
 * back (PostgreSQL DDL is transactional).
 */
async function withoutRequesterIndex({ c, ledger, f }: PgExplorerCtx) {
  // The least busy requester: without its own index, its page is where a walk over the day hurts.
  const rareId = (
    (await c.query("SELECT requester_id AS v FROM entries GROUP BY 1 ORDER BY COUNT(*), 1 LIMIT 1")).rows[0] as {
      v: string;
    }
  ).v;
  const rareFilter = { ...f.page(0), requester: rareId };
  const runs = Math.min(QUERY_RUNS, 10);
  const page = (l: Ledger, filter: EventFilter) => async () =>
    (await queryEvents(l, filter, { sort: "-ts", limit: 100 })).items.length;
  const rare = await timeRuns(runs, page(ledger, rareFilter));
  await c.query("BEGIN");
  await c.query("DROP INDEX entries_requester_ts");
  const all = async (sql: string, params: unknown[]) => (await c.query(numberPlaceholders(sql), params)).rows;
  const tx = { db: { dialect: "postgres" as const, all } } as unknown as Ledger;
  const without = await timeRuns(runs, async (i) => page(tx, f.page(i))());
  const withoutPlan = await explainPg(c, "page", f.page(0));
  const rareWithout = await timeRuns(runs, page(tx, rareFilter));
  await c.query("ROLLBACK");
  return { ...without, plan: withoutPlan, rare: { requester: rareId, with: rare, without: rareWithout } };
}

/** The explorer's queries on a copy of a generated log in PostgreSQL (section 2, PostgreSQL). */
export async function benchExplorerPostgres(
  ds: Dataset,
  cluster: PgCluster,
): Promise<
  ExplorerRun & {
    loadMs: number;
    withoutRequesterIndex: Timing & { plan: string; rare?: { requester: string; with: Timing; without: Timing } };
  }
> {
  const url = await createDatabase(cluster, `explorer_${ds.meta.entries}`);
  log(`    loading ${fmt(ds.meta.entries)} entries into PostgreSQL…`);
  const loadMs = await loadIntoPostgres(ds, url);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-pgx-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    LEDGERLINE_DATA_DIR: dataDir,
    LEDGERLINE_DEMO: "off",
    LEDGERLINE_ORIGIN: ds.meta.origin,
    DATABASE_URL: url,
  };
  delete env.LEDGERLINE_SIGNING_KEY;
  const ledger = await openLedger(loadConfig(env));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { f, page, hist, facets, trace } = await timeExplorer(ledger, ds);
    const search = await timeTraceSearch(ledger, QUERY_RUNS);
    const plans = [
      { name: "page: requester + 24 h, newest first", plan: await explainPg(c, "page", f.page(0)) },
      {
        name: "histogram: 24 h by hour × outcome (from the entry_counts rollup)",
        plan: await explainPg(c, "histogram", f.day),
      },
    ];
    const without = await withoutRequesterIndex({ c, ledger, f });
    const indexes = (
      (await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'entries' ORDER BY indexname")).rows as Array<{
        indexdef: string;
      }>
    ).map((r) => r.indexdef);
    const size = Number((await c.query("SELECT pg_total_relation_size('entries') AS n")).rows[0].n);
    return {
      store: "PostgreSQL",
      entries: ds.meta.entries,
      queries: namedQueries({ page, hist, facets }, search),
      plans,
      indexes,
      bytesPerM: (size / ds.meta.entries) * 1e6,
      trace,
      loadMs,
      withoutRequesterIndex: without,
    };
  } finally {
    await c.end();
    await ledger.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export type ExplorerPgRun = Awaited<ReturnType<typeof benchExplorerPostgres>>;

/** Sections 2 and 3: each generated log on SQLite, the smallest on PostgreSQL too. */
export async function benchExplorers(
  datasets: Dataset[],
  cluster: PgCluster | null,
): Promise<{ explorer: ExplorerRun[]; explorerPg: ExplorerPgRun | null }> {
  const explorer: ExplorerRun[] = [];
  for (const ds of datasets) {
    log(`2. explorer on SQLite, ${fmt(ds.meta.entries)} entries…`);
    const r = await benchExplorerSqlite(ds);
    explorer.push(r);
    for (const q of r.queries)
      log(`    ${q.name}: p50 ${fmt(q.p50, 1)} ms, p95 ${fmt(q.p95, 1)} ms (${fmt(q.rows)} rows/total)`);
    if (r.trace && "p95" in r.trace)
      log(`    timeline (50-entry traces): p50 ${fmt(r.trace.p50, 1)} ms, p95 ${fmt(r.trace.p95, 1)} ms`);
  }
  if (!cluster) return { explorer, explorerPg: null };
  const ds = datasets[0]!;
  log(`2. explorer on PostgreSQL, ${fmt(ds.meta.entries)} entries…`);
  const explorerPg = await benchExplorerPostgres(ds, cluster);
  for (const q of explorerPg.queries) log(`    ${q.name}: p50 ${fmt(q.p50, 1)} ms, p95 ${fmt(q.p95, 1)} ms`);
  log(
    `    page without the requester index: p50 ${fmt(explorerPg.withoutRequesterIndex.p50, 1)} ms, p95 ${fmt(explorerPg.withoutRequesterIndex.p95, 1)} ms`,
  );
  return { explorer, explorerPg };
}
