import "server-only";
import fs from "node:fs";
import type { Database as DatabaseConfig } from "../config.ts";
import { Mutex } from "./mutex.ts";
import { PgDriver, numberPlaceholders } from "./pg-driver.ts";
import { SqliteDriver } from "./sqlite-driver.ts";
import { openSqlite } from "./sqlite-open.ts";
import type { DriverOptions, SqlDriver } from "./sql.ts";

export { Mutex, numberPlaceholders, openSqlite };
export { NeedsTransaction } from "./sql.ts";
export type { DriverOptions, Param, SqlDriver } from "./sql.ts";

// A deliberately small SQL layer, the same on SQLite and PostgreSQL. It carries
// everything but admin CRUD: applying reviewed migrations, checking the
// append-only guards, the sequencer's writes (one transaction per batch under
// the writer lock), the log's own tables (ledger/store/*.ts), the explorer,
// trace and bundle queries, integrity runs and bundle rows. Prisma keeps users,
// keys and tokens (docs/architecture.md says why).
// SQL is written with `?` placeholders; the PostgreSQL driver renumbers them.
// The drivers: sqlite-driver.ts, pg-driver.ts.

/** plannedWrite's counts on a SQLite store with a writer thread (null elsewhere): for tests and the bench. */
export function plannedWriteCounts(db: SqlDriver): { threaded: number; again: number } | null {
  return db instanceof SqliteDriver && db.hasWriterThread ? db.planned : null;
}

export function openDriver(db: DatabaseConfig, opts: DriverOptions = {}): SqlDriver {
  return db.dialect === "sqlite" ? new SqliteDriver(db.file, undefined, opts) : new PgDriver(db.url);
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
