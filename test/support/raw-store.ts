import Database from "better-sqlite3";
import pg from "pg";

// Raw connections to a server's real store, behind the API's back: read-only SQL to check what
// it committed (the Playwright specs, the security and stress suites), and an attacker's
// read-write connection (the integration and stress tamper tests). No vitest here (e2e loads it).

/**
 * `?` placeholders as the dialect's driver takes them: `$1, $2 …` on PostgreSQL (the server's
 * own `numberPlaceholders` is server-only, which Playwright cannot load).
 */
export function placeholders(dialect: "sqlite" | "postgres", sql: string): string {
  let i = 0;
  return dialect === "postgres" ? sql.replace(/\?/g, () => `$${++i}`) : sql;
}

/** Where a server keeps its store: the SQLite file, or the PostgreSQL database URL. */
export type StoreAddress = { sqliteFile: string } | { postgresUrl: string };

/** Rows of `sql` (`?` placeholders) read from the store at `where`, opened read-only and closed again. */
export async function readStore<T>(where: StoreAddress, sql: string, params: unknown[] = []): Promise<T[]> {
  if ("sqliteFile" in where) {
    const db = new Database(where.sqliteFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: where.postgresUrl });
  await c.connect();
  try {
    return (await c.query(placeholders("postgres", sql), params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A raw read-write connection with the powers of whoever holds the SQLite file or a superuser login. */
export type Attacker = { exec(sql: string, params?: unknown[]): Promise<unknown[]>; close(): Promise<void> };

/** Opens the attacker's connection (PostgreSQL: `$n` placeholders as written; SQLite: waits up to 10 s for the writer). */
export async function openAttacker(where: StoreAddress): Promise<Attacker> {
  if ("sqliteFile" in where) {
    const db = new Database(where.sqliteFile);
    db.pragma("busy_timeout = 10000");
    return {
      async exec(sql, params = []) {
        const s = db.prepare(sql);
        return s.reader ? s.all(...params) : (s.run(...params), []);
      },
      async close() {
        db.close();
      },
    };
  }
  const c = new pg.Client({ connectionString: where.postgresUrl });
  await c.connect();
  return {
    async exec(sql, params = []) {
      return (await c.query(sql, params)).rows;
    },
    async close() {
      await c.end();
    },
  };
}
