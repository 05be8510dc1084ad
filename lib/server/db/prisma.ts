import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/prisma-sqlite/client.ts";
import { PrismaClient as PostgresClient } from "@/lib/generated/prisma-postgres/client.ts";
import type { Database } from "../config.ts";

// Reads and admin writes go through Prisma. The two generated clients come from
// one model (prisma/sqlite and prisma/postgres differ only in provider), so the
// SQLite client's type describes both.

export type Prisma = InstanceType<typeof SqliteClient>;

export function openPrisma(db: Database): Prisma {
  if (db.dialect === "sqlite") {
    return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: db.file, timeout: 10_000 }) });
  }
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: db.url, max: 10 }) }) as unknown as Prisma;
}
