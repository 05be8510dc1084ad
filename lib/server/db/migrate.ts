import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SqlDriver } from "./driver.ts";

// The migration runner: plain, reviewed SQL files per dialect under
// prisma/migrations/<dialect>/NNNN_name.sql, applied in name order, each in
// one transaction together with its record in ledgerline_migrations. Prisma's
// own migrate cannot run here (no schema engine offline; adapter-pg splits
// scripts at every `;`), so this stays small on purpose.

export type Migration = { name: string; sql: string; checksum: string };

export class MigrationError extends Error {}

export function migrationsDir(dialect: SqlDriver["dialect"], root = projectRoot()): string {
  return path.join(/*turbopackIgnore: true*/ root, "prisma", "migrations", dialect);
}

/** The project's root: LEDGERLINE_ROOT when the CLI runs from elsewhere, else the working directory. */
export function projectRoot(): string {
  return process.env.LEDGERLINE_ROOT ?? process.cwd();
}

export function readMigrations(dir: string): Migration[] {
  if (!fs.existsSync(dir))
    throw new MigrationError(`No migrations at ${dir}: run from the project folder or set LEDGERLINE_ROOT.`);
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

const TABLE = `CREATE TABLE IF NOT EXISTS ledgerline_migrations (
  name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`;

/**
 * Applies every pending migration. Refuses (MigrationError) when an applied file
 * was edited afterwards or the database has migrations this code does not know.
 */
export async function migrate(
  db: SqlDriver,
  migrations = readMigrations(migrationsDir(db.dialect)),
): Promise<string[]> {
  return db.writeTransaction(async (tx) => {
    await tx.exec(TABLE);
    const applied = await tx.all<{ name: string; checksum: string }>(
      "SELECT name, checksum FROM ledgerline_migrations ORDER BY name",
    );
    const known = new Map(migrations.map((m) => [m.name, m]));
    for (const a of applied) {
      const m = known.get(a.name);
      if (!m) {
        throw new MigrationError(
          `The database has migration ${a.name}, which this version of Ledgerline does not know. ` +
            "Run the newer version, or restore a backup made before it.",
        );
      }
      if (m.checksum !== a.checksum) {
        throw new MigrationError(
          `Migration ${a.name} changed after it was applied (checksum ${a.checksum.slice(0, 12)}… in the database, ` +
            `${m.checksum.slice(0, 12)}… on disk). Restore the file; put changes in a new migration.`,
        );
      }
    }
    const done = new Set(applied.map((a) => a.name));
    const ran: string[] = [];
    // Under the writer lock, so two instances starting at once apply each file once.
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      try {
        await tx.exec(m.sql);
      } catch (e) {
        throw new MigrationError(`Migration ${m.name} failed: ${(e as Error).message}`);
      }
      await tx.run("INSERT INTO ledgerline_migrations (name, checksum, applied_at) VALUES (?, ?, ?)", [
        m.name,
        m.checksum,
        new Date().toISOString(),
      ]);
      ran.push(m.name);
    }
    return ran;
  });
}
