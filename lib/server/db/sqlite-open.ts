import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// How every Ledgerline SQLite connection is opened: the server's (db/driver.ts) and the
// writer thread's (db/writer-entry.ts), which is why this file carries no server-only code.

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

/** Prepares each SQL text once on `db` and hands back the same statement after. */
export function statementCache(db: Database.Database): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
}
