import "server-only";
import { OWN_SOURCE_PREFIX, type EventFilter } from "@/lib/core/index.ts";
import { toBase64 } from "@/lib/core/index.ts";
import type { Sort } from "@/lib/schemas/event-filter.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import { AppError } from "../errors.ts";
import { rowToEntry, type Entry, type EntryRow } from "../ledger/entry.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { COUNT_BUCKET_CHARS } from "../ledger/rollups.ts";
import { keptRequesterSql } from "../ledger/store/secrets.ts";
import { filterWhere } from "./filter-sql.ts";
import { readableRows, type ErasedField } from "./personal-view.ts";

// The explorer's SQL: a keyset-paged list, a histogram stacked by outcome, top
// requesters and targets. Never OFFSET: a page is "the next `limit` rows after
// this (sort key, seq)", one index range. UNCHECKED — no permission check, no
// meta-audit: only the use cases in ./search.ts and the bundle builder (after
// bundles:create was checked and recorded) call these; eslint refuses any
// other entry point importing this file.

/** An entry as readers see it: kept personal values restored, erased fields named (personal-view.ts). */
export type EventItem = Entry & { leafHash: string; erased?: ErasedField[] };

export type EventPage = { items: EventItem[]; nextCursor: string | null };

const SORT_COLUMN: Record<Sort, { column: "ts" | "seq"; desc: boolean }> = {
  "-ts": { column: "ts", desc: true },
  ts: { column: "ts", desc: false },
  "-seq": { column: "seq", desc: true },
  seq: { column: "seq", desc: false },
};

type Cursor = { s: Sort; k: string | number; q: number };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string, sort: Sort): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    c = null;
  }
  const ok =
    c !== null &&
    typeof c === "object" &&
    (c as Cursor).s === sort &&
    Number.isSafeInteger((c as Cursor).q) &&
    (typeof (c as Cursor).k === "string" || Number.isSafeInteger((c as Cursor).k));
  if (!ok) {
    throw new AppError("bad_request", "The cursor is not one this API issued for this sort; start again without it.", {
      errors: [{ parameter: "cursor", detail: "not a cursor issued for this sort" }],
    });
  }
  return c as Cursor;
}

/** The rows as readers see them, in order (see EventItem). */
export async function serializeRows(db: SqlDriver, rows: EntryRow[]): Promise<EventItem[]> {
  const readable = await readableRows(db, rows);
  return rows.map((r, i) => {
    const { entry, erased } = readable[i]!;
    const item: EventItem = { ...entry, leafHash: toBase64(new Uint8Array(r.leaf_hash)) };
    if (erased.length) item.erased = erased;
    return item;
  });
}

/**
 * `leafForm`: entries exactly as their leaves commit them (v2: commitments, no personal
 * values) — what an evidence bundle proves; otherwise as readers see them (serializeRows).
 */
export type SearchOptions = { sort: Sort; limit: number; cursor?: string; leafForm?: boolean };

/** One page of entries matching the filter, without a permission check or audit (callers do both). */
export async function queryEvents(ledger: Ledger, filter: EventFilter, opts: SearchOptions): Promise<EventPage> {
  const { column, desc } = SORT_COLUMN[opts.sort];
  const where = filterWhere(filter, ledger.db.dialect);
  let sql = `SELECT * FROM entries WHERE ${where.sql}`;
  const params: Param[] = [...where.params];
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, opts.sort);
    const op = desc ? "<" : ">";
    if (column === "seq") {
      sql += ` AND seq ${op} ?`;
      params.push(c.q);
    } else {
      sql += ` AND (${column}, seq) ${op} (?, ?)`;
      params.push(String(c.k), c.q);
    }
  }
  const dir = desc ? "DESC" : "ASC";
  sql += column === "seq" ? ` ORDER BY seq ${dir}` : ` ORDER BY ${column} ${dir}, seq ${dir}`;
  sql += ` LIMIT ${opts.limit + 1}`;
  const rows = await ledger.db.all<EntryRow>(sql, params);
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  const items = opts.leafForm
    ? page.map((r) => ({ ...rowToEntry(r), leafHash: toBase64(new Uint8Array(r.leaf_hash)) }))
    : await serializeRows(ledger.db, page);
  const last = items.at(-1);
  const nextCursor =
    more && last ? encodeCursor({ s: opts.sort, k: column === "seq" ? last.seq : last.timestamp, q: last.seq }) : null;
  return { items, nextCursor };
}

// ── Histogram ───────────────────────────────────────────────────────────────

/** Bucket widths that are prefixes of the stored `YYYY-MM-DDTHH:mm:ss.sssZ` text. */
const BUCKETS = [
  { name: "1m", chars: 16, ms: 60_000 },
  { name: "10m", chars: 15, ms: 600_000 },
  { name: "1h", chars: 13, ms: 3_600_000 },
  { name: "1d", chars: 10, ms: 86_400_000 },
  { name: "1mo", chars: 7, ms: 30 * 86_400_000 },
] as const;

export type HistogramBucket = { start: string; success: number; failure: number; denied: number };
export type Histogram = {
  bucket: string;
  bucketMs: number;
  from: string;
  to: string;
  buckets: HistogramBucket[];
  total: number;
  denied: number;
  failure: number;
};

/** Picks the finest bucket that gives at most ~maxBuckets bars over the range. */
export function chooseBucket(fromMs: number, toMs: number, maxBuckets = 200) {
  const span = Math.max(1, toMs - fromMs);
  return BUCKETS.find((b) => span / b.ms <= maxBuckets) ?? BUCKETS[BUCKETS.length - 1]!;
}

function bucketStart(prefix: string): string {
  // Pad the prefix back to a full timestamp: "2026-11-27T13" → "2026-11-27T13:00:00.000Z".
  const full = "0000-01-01T00:00:00.000Z";
  const s = prefix + full.slice(prefix.length);
  return prefix.length === 15 ? s.slice(0, 15) + "0" + s.slice(16) : s;
}

type CountRow = { b: string; outcome: string; n: number };

const ROLLUP_MS = 600_000;

/** Counts per (bucket prefix, outcome) straight from the entries in [from, to). */
function countEntries(ledger: Ledger, filter: EventFilter, from: string, to: string, chars: number) {
  // SQLite's planner, given 10 M rows, prefers a skip-scan of the requester index
  // plus row lookups (~1 s for 24 h); the covering (ts, outcome) index answers a
  // time-and-outcome filter from the index alone (~0.2 s). PostgreSQL picks it itself.
  const hint = sqliteHint(ledger, filter, ["outcome"], "entries_ts_outcome");
  return countByBucket(ledger, { ...filter, from, to }, hint, chars);
}

/** Counts per (bucket prefix, outcome) of the entries `filter` selects, read through the index `hint` names. */
async function countByBucket(ledger: Ledger, filter: EventFilter, hint: string, chars: number): Promise<CountRow[]> {
  const where = filterWhere(filter, ledger.db.dialect);
  return ledger.db.all<CountRow>(
    `SELECT substr(ts, 1, ${chars}) AS b, outcome, COUNT(*) AS n FROM entries${hint} WHERE ${where.sql} GROUP BY 1, 2`,
    where.params,
  );
}

export function timeAndOutcomeOnly(filter: EventFilter): boolean {
  return (Object.keys(filter) as (keyof EventFilter)[]).every(
    (k) => filter[k] === undefined || k === "from" || k === "to" || k === "outcome",
  );
}

/** Counts per (bucket, outcome) of the meta-audit records (`ledgerline:` sources) among a time-and-outcome filter. */
function countOwnActivity(ledger: Ledger, filter: EventFilter, from: string, to: string, chars: number) {
  // Without statistics SQLite may walk a week of the ts index (millions of rows) for
  // what the source index finds directly (the meta-audit's few rows).
  const hint = ledger.db.dialect === "sqlite" ? " INDEXED BY entries_source_event_id" : "";
  return countByBucket(ledger, { ...filter, from, to, source: `${OWN_SOURCE_PREFIX}*` }, hint, chars);
}

/**
 * The part of [from, to) a 10-minute rollup (entry_counts, type_counts) answers: its
 * whole buckets [loIso, hiIso) as a WHERE clause on `bucket` (and `outcome`, when the
 * filter names some), and whether ragged ends before (`head`) and after (`tail`) must be
 * counted from the entries. Null when no whole bucket fits.
 */
export function rollupSpan(from: string, to: string, outcome?: readonly string[]) {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const lo = Math.ceil(fromMs / ROLLUP_MS) * ROLLUP_MS;
  const hi = Math.floor(toMs / ROLLUP_MS) * ROLLUP_MS;
  if (lo >= hi) return null;
  const loIso = new Date(lo).toISOString();
  const hiIso = new Date(hi).toISOString();
  const params: Param[] = [loIso.slice(0, COUNT_BUCKET_CHARS), hiIso.slice(0, COUNT_BUCKET_CHARS)];
  let where = "bucket >= ? AND bucket < ?";
  if (outcome?.length) {
    where += ` AND outcome IN (${outcome.map(() => "?").join(", ")})`;
    params.push(...outcome);
  }
  return { loIso, hiIso, head: fromMs < lo, tail: hi < toMs, where, params };
}

/**
 * Counts per (bucket, outcome). A filter of time and outcome only, bucketed by 10
 * minutes or more, reads the aligned middle of its range from the `entry_counts`
 * rollup and only the partial 10-minute ends from the entries: 30 days of a 10 M
 * entry log in milliseconds instead of seconds. Anything else counts entries.
 */
async function histogramRows(
  ledger: Ledger,
  filter: EventFilter,
  from: string,
  to: string,
  chars: number,
): Promise<CountRow[]> {
  if (filter.hideOwnActivity && timeAndOutcomeOnly({ ...filter, hideOwnActivity: undefined })) {
    // The explorer's default filter hides the meta-audit: count everything the
    // fast way (rollup), then subtract the meta-audit records, found by the
    // (source, event_id) index — few next to the traffic they audit.
    const { hideOwnActivity: _, ...all } = filter;
    const [rows, own] = await Promise.all([
      histogramRows(ledger, all, from, to, chars),
      countOwnActivity(ledger, all, from, to, chars),
    ]);
    return [...rows, ...own.map((r) => ({ ...r, n: -Number(r.n) }))];
  }
  const rollup = chars <= COUNT_BUCKET_CHARS && timeAndOutcomeOnly(filter);
  const span = rollupSpan(from, to, filter.outcome);
  if (!rollup || !span) return countEntries(ledger, filter, from, to, chars);
  const middle = await ledger.db.all<CountRow>(
    `SELECT substr(bucket, 1, ${chars}) AS b, outcome, SUM(n) AS n FROM entry_counts WHERE ${span.where} GROUP BY 1, 2`,
    span.params,
  );
  const head = span.head ? await countEntries(ledger, filter, from, span.loIso, chars) : [];
  const tail = span.tail ? await countEntries(ledger, filter, span.hiIso, to, chars) : [];
  return [...head, ...middle, ...tail];
}

/**
 * Events per time bucket stacked by outcome, over the filter's time range (or the
 * entries' own range when the filter has none). No permission check: callers check.
 */
export async function queryHistogram(ledger: Ledger, filter: EventFilter): Promise<Histogram> {
  let from = filter.from;
  let to = filter.to;
  if (from === undefined || to === undefined) {
    const where = filterWhere(filter, ledger.db.dialect);
    const r = await ledger.db.get<{ lo: string | null; hi: string | null }>(
      `SELECT MIN(ts) AS lo, MAX(ts) AS hi FROM entries WHERE ${where.sql}`,
      where.params,
    );
    from ??= r?.lo ?? new Date().toISOString();
    to ??= r?.hi ? new Date(Date.parse(r.hi) + 1).toISOString() : new Date(Date.parse(from) + 1).toISOString();
  }
  const b = chooseBucket(Date.parse(from), Date.parse(to));
  const rows = await histogramRows(ledger, filter, from, to, b.chars);
  const byStart = new Map<string, HistogramBucket>();
  let total = 0;
  let denied = 0;
  let failure = 0;
  for (const r of rows) {
    const start = bucketStart(r.b);
    let bucket = byStart.get(start);
    if (!bucket) byStart.set(start, (bucket = { start, success: 0, failure: 0, denied: 0 }));
    const n = Number(r.n);
    if (r.outcome === "success" || r.outcome === "failure" || r.outcome === "denied") bucket[r.outcome] += n;
    total += n;
    if (r.outcome === "denied") denied += n;
    if (r.outcome === "failure") failure += n;
  }
  const buckets = [...byStart.values()].sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
  return { bucket: b.name, bucketMs: b.ms, from, to, buckets, total, denied, failure };
}

// ── Top requesters / targets ───────────────────────────────────────────────

/**
 * ` INDEXED BY <index>` on SQLite when the filter uses only a time range and the
 * listed fields (so the index covers the query); "" otherwise or on PostgreSQL.
 */
function sqliteHint(ledger: Ledger, filter: EventFilter, fields: (keyof EventFilter)[], index: string): string {
  if (ledger.db.dialect !== "sqlite") return "";
  // Hiding the meta-audit reads `source` from the row, but the index still bounds the scan.
  const allowed = new Set<keyof EventFilter>(["from", "to", "hideOwnActivity", ...fields]);
  return (Object.keys(filter) as (keyof EventFilter)[]).every((k) => allowed.has(k)) ? ` INDEXED BY ${index}` : "";
}

export type TopItem = { value: string; count: number };

/**
 * Top lists past this many matching entries count only the newest ones: an exact
 * top-N over a week of a 10 M-entry log reads 2 M index entries (20 s cold), the
 * newest 50 000 take ~0.2 s. The page says which it shows.
 */
export const TOP_SAMPLE = 50_000;

/**
 * The most frequent requesters or targets under the filter (counts only). With
 * `sample`, among the newest `sample` matching entries. Exact lists of a time-only
 * filter read the (requester|target, ts, seq) index alone, never a row.
 */
export async function queryTop(
  ledger: Ledger,
  filter: EventFilter,
  field: "requester" | "target",
  limit = 10,
  sample?: number,
): Promise<TopItem[]> {
  const column = field === "requester" ? "requester_id" : "target_id";
  // A committed requester id (leaf v2) is "" in its column: count its kept value, and
  // leave an erased one (NULL) out — at most one NULL group, hence n + 1 rows.
  const value = (alias: string) =>
    field === "requester" ? keptRequesterSql(ledger.db.dialect, alias) : `${alias}.${column}`;
  const where = filterWhere(filter, ledger.db.dialect);
  const n = Math.min(Math.max(1, limit), 50);
  let sql: string;
  if (sample !== undefined) {
    sql = `SELECT ${value("newest")} AS v, COUNT(*) AS n FROM (SELECT seq, ${column} FROM entries WHERE ${where.sql} ORDER BY ts DESC, seq DESC LIMIT ${Math.max(1, Math.floor(sample))}) newest
             GROUP BY 1 ORDER BY n DESC, v LIMIT ${n + 1}`;
  } else {
    const hint = sqliteHint(
      ledger,
      filter,
      [field],
      field === "requester" ? "entries_requester_ts" : "entries_target_ts",
    );
    sql = `SELECT ${value("entries")} AS v, COUNT(*) AS n FROM entries${hint} WHERE ${where.sql} GROUP BY 1 ORDER BY n DESC, v LIMIT ${n + 1}`;
  }
  const rows = await ledger.db.all<{ v: string | null; n: number }>(sql, where.params);
  return rows
    .filter((r) => r.v !== null)
    .slice(0, n)
    .map((r) => ({ value: r.v!, count: Number(r.n) }));
}
