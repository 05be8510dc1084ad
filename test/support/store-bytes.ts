import fs from "node:fs";
import type { Attacker, TestStore } from "./stores.ts";

// The raw bytes of a test store, to prove a value is gone from it (not merely hidden):
// SQLite's file and WAL after a checkpoint and VACUUM; PostgreSQL's table, index and
// TOAST files read by the server itself after VACUUM FULL and a CHECKPOINT.

export async function storeBytes(store: TestStore, attacker: Attacker): Promise<Buffer> {
  if (store.config.database.dialect === "sqlite") {
    await attacker.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    await attacker.exec("VACUUM");
    await attacker.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const file = store.config.database.file;
    return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
  }
  await attacker.exec("VACUUM FULL");
  await attacker.exec("CHECKPOINT");
  const rels = (await attacker.exec(
    `SELECT pg_relation_filepath(c.oid) AS p FROM pg_class c
      WHERE c.relkind IN ('r', 'i', 't') AND c.relnamespace IN (current_schema()::regnamespace, 'pg_toast'::regnamespace)
        AND pg_relation_filepath(c.oid) IS NOT NULL`,
  )) as Array<{ p: string }>;
  const parts: Buffer[] = [];
  for (const r of rels) {
    const rows = (await attacker.exec("SELECT pg_read_binary_file($1, 0, (pg_stat_file($1, true)).size, true) AS b", [
      r.p,
    ])) as Array<{ b: Buffer | null }>;
    if (rows[0]?.b) parts.push(rows[0].b);
  }
  return Buffer.concat(parts);
}
