import path from "node:path";
import type { TestInfo } from "@playwright/test";
import { readStore } from "../../test/support/raw-store.ts";

/** Reads the project's real store directly (read-only queries), to check what the server committed. */
export async function queryStore<T>(info: TestInfo, sql: string, params: unknown[] = []): Promise<T[]> {
  const where =
    info.project.name === "postgres"
      ? { postgresUrl: process.env.E2E_POSTGRES_DATABASE_URL! }
      : { sqliteFile: path.join(process.env.E2E_SQLITE_DATA_DIR!, "ledgerline.db") };
  return readStore<T>(where, sql, params);
}
