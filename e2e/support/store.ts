import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { TestInfo } from "@playwright/test";

/** Reads the project's real store directly (read-only queries), to check what the server committed. */
export async function queryStore<T>(info: TestInfo, sql: string, params: unknown[] = []): Promise<T[]> {
  if (info.project.name === "postgres") {
    const c = new pg.Client({ connectionString: process.env.E2E_POSTGRES_DATABASE_URL });
    await c.connect();
    try {
      let i = 0;
      return (
        await c.query(
          sql.replace(/\?/g, () => `$${++i}`),
          params,
        )
      ).rows as T[];
    } finally {
      await c.end();
    }
  }
  const db = new Database(path.join(process.env.E2E_SQLITE_DATA_DIR!, "ledgerline.db"), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
