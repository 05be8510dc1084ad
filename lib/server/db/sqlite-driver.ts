import "server-only";
import type Database from "better-sqlite3";
import { Mutex } from "./mutex.ts";
import { openSqlite, statementCache } from "./sqlite-open.ts";
import { readRows, type BatchOutcome, type ReadCheck, type WriteOp } from "./write-batch.ts";
import { WriterThread } from "./writer-thread.ts";
import { NeedsTransaction, type DriverOptions, type Param, type PlanOptions, type Row, type SqlDriver } from "./sql.ts";

// The SQLite driver (driver.ts says what a driver is). Three connections: readers use
// the first; writeTransaction gets one of its own, so a concurrent reader never sees
// (or serves a proof of) uncommitted rows; plannedWrite's batches are committed by a
// third, on the writer thread (writer-thread.ts), so the sequencer's inserts and fsync
// no longer hold the event loop.

/**
 * BEGIN IMMEDIATE without blocking the event loop: SQLite's busy handler sleeps
 * the thread, which would freeze every request (and deadlock two writers in one
 * process), so wait for another process's write lock with async retries instead.
 */
async function beginImmediate(db: Database.Database, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  db.pragma("busy_timeout = 0");
  try {
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        db.exec("BEGIN IMMEDIATE");
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  } finally {
    db.pragma("busy_timeout = 10000");
  }
}

type Sent<T> = { result: T; batch: { id: number; outcome: Promise<BatchOutcome> } | null } | null;

export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;
  /** This connection's prepared statements, by their SQL (prepared once, reused). */
  readonly stmt: (sql: string) => Database.Statement;
  private writer: SqliteDriver | null = null;
  private readonly thread: WriterThread | null;
  /** plannedWrite's batches sent to the thread and not yet answered: writeTransaction waits for them. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly mutex = new Mutex();
  /** plannedWrite's commits: on the writer thread, and planned again inside a transaction (a changed read, a read after a write). */
  readonly planned = { threaded: 0, again: 0 };

  constructor(
    private readonly file: string,
    db?: Database.Database,
    opts: DriverOptions = {},
  ) {
    this.db = db ?? openSqlite(file);
    this.stmt = statementCache(this.db);
    this.thread = opts.writerThread ? new WriterThread(file, opts.log) : null;
  }

  get hasWriterThread(): boolean {
    return this.thread !== null;
  }

  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.stmt(sql).all(...params) as T[];
  }
  async get<T>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return this.stmt(sql).get(...params) as T | undefined;
  }
  async run(sql: string, params: Param[] = []): Promise<number> {
    return this.stmt(sql).run(...params).changes;
  }
  async exec(script: string): Promise<void> {
    this.db.exec(script);
  }
  async insertMany(table: string, columns: string[], rows: Param[][], onConflict = ""): Promise<void> {
    // One prepared single-row statement reused inside the caller's transaction is
    // as fast as multi-row VALUES on better-sqlite3 and has no variable limit.
    const s = this.stmt(insertSql(table, columns, onConflict));
    for (const r of rows) s.run(...r);
  }
  writeTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      // After every batch already sent: a transaction sees (and orders after) them.
      await Promise.allSettled(this.inflight);
      return this.transaction(fn);
    });
  }

  plannedWrite<T>(fn: (tx: SqlDriver) => Promise<T>, opts: PlanOptions = {}): Promise<T> {
    const thread = this.thread;
    if (!thread) {
      opts.sent?.(null);
      return this.writeTransaction(fn);
    }
    // Planning is serialized; the commit is not waited for under the mutex, so the next
    // plan (PlanOptions.after) can be made while this one is being committed.
    const sent: Promise<Sent<T>> = this.mutex.run(async () => {
      if (!(await thread.ready())) return null;
      const plan = new PlanTx(this);
      let result: T;
      try {
        result = await fn(plan);
      } catch (e) {
        if (!(e instanceof NeedsTransaction)) throw e;
        this.planned.again++;
        return null;
      }
      const after = opts.after ?? null;
      if (!plan.ops.length && after === null) return { result, batch: null };
      const batch = thread.apply({ after, checks: plan.checks, ops: plan.ops });
      const settled: Promise<boolean> = batch.outcome.then(
        () => this.inflight.delete(settled),
        () => this.inflight.delete(settled),
      );
      this.inflight.add(settled);
      return { result, batch };
    });
    return sent.then(
      async (s) => {
        opts.sent?.(s?.batch?.id ?? null);
        if (s && !s.batch) return s.result;
        if (s && (await s.batch!.outcome).committed) {
          this.planned.threaded++;
          return s.result;
        }
        if (s) this.planned.again++;
        return this.writeTransaction(fn);
      },
      (e: unknown) => {
        opts.sent?.(null);
        throw e;
      },
    );
  }

  private async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.writer ??= new SqliteDriver(this.file);
    const w = this.writer;
    await beginImmediate(w.db);
    try {
      const result = await fn(w);
      w.db.exec("COMMIT");
      return result;
    } catch (e) {
      if (w.db.inTransaction) w.db.exec("ROLLBACK");
      throw e;
    }
  }
  async close(): Promise<void> {
    await this.mutex.run(async () => {
      await Promise.allSettled(this.inflight);
      await this.thread?.close();
      this.writer?.db.close();
      this.db.close();
    });
  }
}

function insertSql(table: string, columns: string[], onConflict: string): string {
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${onConflict}`;
}

/**
 * plannedWrite's view of the store: reads answer from the reader connection and are kept with
 * their answers; writes are recorded for the writer thread. A read after a write throws
 * NeedsTransaction: the reader cannot see the plan's own writes.
 */
class PlanTx implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly checks: ReadCheck[] = [];
  readonly ops: WriteOp[] = [];

  constructor(private readonly reader: SqliteDriver) {}

  private read(one: boolean, sql: string, params: Param[]): Row[] {
    if (this.ops.length) throw new NeedsTransaction();
    const rows = readRows(this.reader.stmt(sql), one, params);
    this.checks.push({ sql, params, one, rows });
    return rows;
  }
  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.read(false, sql, params) as T[];
  }
  async get<T>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return this.read(true, sql, params)[0] as T | undefined;
  }
  expect(sql: string, params: Param[], rows: Row[]): void {
    if (this.ops.length) throw new NeedsTransaction();
    this.checks.push({ sql, params, one: true, rows });
  }
  async run(sql: string, params: Param[] = []): Promise<number> {
    this.ops.push({ sql, rows: [params] });
    return Number.NaN;
  }
  async exec(script: string): Promise<void> {
    this.ops.push({ script });
  }
  async insertMany(table: string, columns: string[], rows: Param[][], onConflict = ""): Promise<void> {
    if (rows.length) this.ops.push({ sql: insertSql(table, columns, onConflict), rows });
  }
  writeTransaction<T>(): Promise<T> {
    return Promise.reject(new Error("a plan cannot open a transaction"));
  }
  plannedWrite<T>(): Promise<T> {
    return this.writeTransaction();
  }
  close(): Promise<void> {
    return Promise.reject(new Error("a plan cannot close the store"));
  }
}
