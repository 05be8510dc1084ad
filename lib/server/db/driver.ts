import "server-only";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Database as DatabaseConfig } from "../config.ts";

// A deliberately small SQL layer, the same on SQLite and PostgreSQL. It carries
// everything but admin CRUD: applying reviewed migrations, checking the
// append-only guards, the sequencer's writes (one transaction per batch under
// the writer lock), the log's own tables (ledger/store/*.ts), the explorer,
// trace and bundle queries, integrity runs and bundle rows. Prisma keeps users,
// keys and tokens (docs/architecture.md says why).
// SQL is written with `?` placeholders; the PostgreSQL driver renumbers them.

export type Row = Record<string, unknown>;
export type Param = string | number | bigint | Uint8Array | null;

export interface SqlDriver {
  readonly dialect: "sqlite" | "postgres";
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  run(sql: string, params?: Param[]): Promise<number>;
  /** Runs a multi-statement script as written (PostgreSQL: simple-query protocol, so $$ bodies survive). */
  exec(script: string): Promise<void>;
  /**
   * Inserts rows of equal shape (SQLite: one cached single-row statement per row; PostgreSQL: one
   * unnested statement). `onConflict`, an `ON CONFLICT …` clause, makes it an upsert: the rows'
   * conflict keys must then be distinct.
   */
  insertMany(table: string, columns: string[], rows: Param[][], onConflict?: string): Promise<void>;
  /**
   * Runs fn in one transaction holding the database-wide writer lock
   * (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), commits when
   * fn resolves, rolls back when it throws.
   */
  writeTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** pg_advisory_xact_lock key of the single sequencer ("LEDG" in ASCII). */
export const WRITER_LOCK_KEY = 0x4c454447;

export function openDriver(db: DatabaseConfig): SqlDriver {
  return db.dialect === "sqlite" ? new SqliteDriver(db.file) : new PgDriver(db.url);
}

/**
 * A connection for one long sequential read (an evidence bundle's export): on
 * SQLite its own read-only connection with a 4 MiB page cache, so a scan of a
 * million rows neither grows the process by the shared 64 MiB cache nor evicts
 * what the dashboard's reads keep there; on PostgreSQL the pool itself. Close it
 * when done (a no-op on PostgreSQL).
 */
export function openBulkReader(db: SqlDriver, config: DatabaseConfig): SqlDriver {
  if (config.dialect !== "sqlite") return Object.assign(Object.create(db) as SqlDriver, { close: async () => {} });
  const conn = openSqlite(config.file, { readonly: true });
  conn.pragma("cache_size = -4096");
  return new SqliteDriver(config.file, conn);
}

/** Opens a better-sqlite3 connection with the pragmas every Ledgerline connection uses. */
export function openSqlite(file: string, opts: { readonly?: boolean } = {}): Database.Database {
  if (!opts.readonly) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // SQLite creates the file with the umask (0644 under the usual 022) and gives its
    // -wal and -shm files the database's own mode: create it 0600 first, so every file
    // of the store — Prisma's connection's too — is readable by this user only.
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_RDWR, 0o600));
  }
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma("busy_timeout = 10000");
  if (!opts.readonly) {
    db.pragma("journal_mode = WAL");
    // A 2xx means durable: every commit is fsynced, WAL or not.
    db.pragma("synchronous = FULL");
    db.pragma("wal_autocheckpoint = 10000");
  }
  db.pragma("cache_size = -65536");
  db.pragma("foreign_keys = ON");
  return db;
}

/**
 * Makes an existing SQLite store private: the database and its -wal / -shm / -journal
 * files 0600 (they were created with the umask before Ledgerline created them itself).
 * Returns a line per file changed, for the start-up log.
 */
export function tightenSqliteModes(file: string): string[] {
  const changed: string[] = [];
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    let st: fs.Stats;
    try {
      st = fs.statSync(/* turbopackIgnore: true */ f);
    } catch {
      continue;
    }
    const m = st.mode & 0o777;
    if ((m & 0o077) === 0) continue;
    try {
      fs.chmodSync(f, 0o600);
      changed.push(`${f}: permissions ${m.toString(8).padStart(4, "0")} → 0600 (readable by this user only)`);
    } catch (e) {
      changed.push(
        `WARNING: ${f} is readable by other users (${m.toString(8).padStart(4, "0")}) and could not be changed: ${(e as Error).message}`,
      );
    }
  }
  return changed;
}

/** Serializes async critical sections within this process. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

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

class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  // Readers use `db`; write transactions get a connection of their own, so a
  // concurrent reader can never observe (or serve a proof of) uncommitted rows.
  private writer: SqliteDriver | null = null;
  private readonly mutex = new Mutex();

  constructor(
    private readonly file: string,
    db?: Database.Database,
  ) {
    this.db = db ?? openSqlite(file);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
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
    const s = this.stmt(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ${onConflict}`,
    );
    for (const r of rows) s.run(...r);
  }
  async writeTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
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
    });
  }
  async close(): Promise<void> {
    await this.mutex.run(async () => {
      this.writer?.db.close();
      this.db.close();
    });
  }
}

// int8 → number (seq and sizes stay far below 2^53); everything else as pg parses it.
const pgTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text"),
} as pg.CustomTypesConfig;

/** Rewrites `?` placeholders to `$1…$n` (our SQL never has `?` inside literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** insertMany's column types per table: the migrations fix them, so one read per process does. */
const COLUMN_TYPES = new Map<string, Map<string, string>>();

class PgDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  private readonly pool: pg.Pool | null;
  private readonly client: pg.PoolClient | null;
  private readonly mutex = new Mutex();

  constructor(url: string, client?: pg.PoolClient) {
    this.client = client ?? null;
    this.pool = client ? null : new pg.Pool({ connectionString: url, max: 10, types: pgTypes });
    this.pool?.on("error", (e) => console.error("[ledgerline] idle PostgreSQL connection failed:", e.message));
  }

  private q(sql: string, params: Param[]) {
    const text = params.length ? numberPlaceholders(sql) : sql;
    const values = params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
    // A transaction's single client runs one query at a time; callers (e.g. proof
    // builders hashing subtrees in parallel) may still ask concurrently.
    if (this.client) return this.mutex.run(() => this.client!.query({ text, values, types: pgTypes }));
    return this.pool!.query({ text, values, types: pgTypes });
  }

  async all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return (await this.q(sql, params)).rows as T[];
  }
  async get<T>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return (await this.q(sql, params)).rows[0] as T | undefined;
  }
  async run(sql: string, params: Param[] = []): Promise<number> {
    return (await this.q(sql, params)).rowCount ?? 0;
  }
  async exec(script: string): Promise<void> {
    if (this.client) await this.mutex.run(() => this.client!.query(script));
    else await this.pool!.query(script);
  }
  async insertMany(table: string, columns: string[], rows: Param[][], onConflict = ""): Promise<void> {
    if (!rows.length) return;
    // One array parameter per column, unnested: a statement of the same short text whatever the
    // row count, instead of a multi-row VALUES list of rows × columns parameters that PostgreSQL
    // parses and plans anew each time. Measured (issue 16): 100-row batches into `entries`,
    // 15,300 rows/s as VALUES, 25,800 rows/s unnested.
    const types = await this.columnTypes(table);
    const arrays = columns.map((c, j) => {
      if (!types.has(c)) throw new Error(`insertMany: ${table} has no column ${c}`);
      return rows.map((r) => {
        const v = r[j] ?? null;
        return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v;
      });
    });
    const unnest = columns.map((c) => `?::${types.get(c)}[]`).join(", ");
    // node-postgres sends each JS array as one PostgreSQL array (Buffers as bytea hex).
    await this.q(
      `INSERT INTO ${table} (${columns.join(", ")}) SELECT * FROM unnest(${unnest}) ${onConflict}`,
      arrays as unknown as Param[],
    );
  }
  /** Each column's type name (udt_name: int8, text, bytea…) of `table`, read once per process. */
  private async columnTypes(table: string): Promise<Map<string, string>> {
    let t = COLUMN_TYPES.get(table);
    if (!t) {
      const rows = (
        await this.q(
          "SELECT column_name AS c, udt_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?",
          [table],
        )
      ).rows as Array<{ c: string; t: string }>;
      t = new Map(rows.map((r) => [r.c, r.t]));
      if (t.size) COLUMN_TYPES.set(table, t);
    }
    return t;
  }
  async writeTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    return this.mutex.run(() => this.lockedTransaction(fn));
  }
  private async lockedTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.pool!.connect();
    const tx = new PgDriver("", client);
    try {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})`);
      const result = await fn(tx);
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool?.end();
  }
}
