import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshStore, type TestStore } from "@/test/support/stores.ts";
import { openLedger } from "../ledger/ledger.ts";
import { openDriver } from "./driver.ts";
import { GuardError } from "./guards.ts";
import { MigrationError, migrate, migrationsDir, readMigrations } from "./migrate.ts";

// Append-only is the database's own refusal, and the server will not start
// on a store whose refusal has been removed, disabled or altered.

const ev = () => {
  const r = validateEvent(event());
  if (!r.ok) throw new Error("bad fixture");
  return r.event;
};

describe.each(DIALECTS)("append-only guards on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  async function seeded() {
    store = await freshStore(dialect);
    const ledger = await openLedger(store.config);
    await ledger.sequencer.append("spiffe://test/a", Array.from({ length: 300 }, ev));
    await ledger.sequencer.checkpoint();
    // A stored witness cosignature (inserting is allowed: the table is append-only, not read-only).
    await ledger.db.run(
      "INSERT INTO cosignatures (tree_size, witness, key_id, cosigned_at, line, received_at) VALUES (300, 'w.example/1', '0a1b2c3d', 1, '— w.example/1 AAAA', 't')",
    );
    await ledger.close();
    return store.attacker();
  }

  it("refuses UPDATE and DELETE on entries, merkle_nodes, checkpoints and cosignatures (and TRUNCATE on PostgreSQL), even for the table owner", async () => {
    const attacker = await seeded();
    // The application's own connection, not a superuser: the owner of the tables.
    const app = openDriver(store.config.database);
    try {
      const attempts = [
        "UPDATE entries SET outcome = 'success' WHERE seq = 5",
        "DELETE FROM entries WHERE seq = 300",
        "UPDATE merkle_nodes SET level = 8",
        "DELETE FROM merkle_nodes",
        "UPDATE checkpoints SET note = 'x'",
        "DELETE FROM checkpoints",
        "UPDATE cosignatures SET line = 'x'",
        "DELETE FROM cosignatures",
        ...(dialect === "postgres"
          ? ["TRUNCATE entries", "TRUNCATE checkpoints", "TRUNCATE merkle_nodes", "TRUNCATE cosignatures"]
          : []),
      ];
      for (const sql of attempts) {
        await expect(app.run(sql), sql).rejects.toThrow(/append-only/);
        await expect(attacker.exec(sql), sql).rejects.toThrow(/append-only/);
      }
      expect(await app.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries")).toEqual({ n: 300 });
    } finally {
      await app.close();
      await attacker.close();
    }
  });

  const removals: Record<string, string[]> = {
    sqlite: [
      "DROP TRIGGER entries_no_update",
      "DROP TRIGGER checkpoints_no_delete",
      "DROP TRIGGER cosignatures_no_update",
    ],
    postgres: [
      "DROP TRIGGER entries_no_delete ON entries",
      "ALTER TABLE entries DISABLE TRIGGER entries_no_update",
      "DROP TRIGGER entries_no_truncate ON entries",
      "ALTER TABLE cosignatures DISABLE TRIGGER cosignatures_no_delete",
      "CREATE OR REPLACE FUNCTION ledgerline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$",
    ],
  };

  for (const sql of removals[dialect]!) {
    it(`refuses to start after: ${sql.slice(0, 60)}`, async () => {
      const attacker = await seeded();
      await attacker.exec(sql);
      await attacker.close();
      const err = await openLedger(store.config).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GuardError);
      expect((err as GuardError).message).toMatch(/refuses to start/);
      expect((err as GuardError).problems.join("\n")).toMatch(/missing|disabled|altered/);
    });
  }

  it("re-creating a guard with a different body is caught too", async () => {
    const attacker = await seeded();
    if (dialect === "sqlite") {
      await attacker.exec("DROP TRIGGER entries_no_delete");
      await attacker.exec(
        "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries WHEN 0 BEGIN SELECT RAISE(ABORT, 'ledgerline: entries are append-only (DELETE refused)'); END",
      );
    } else {
      await attacker.exec("DROP TRIGGER entries_no_delete ON entries");
      await attacker.exec(
        "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries FOR EACH ROW WHEN (false) EXECUTE FUNCTION ledgerline_refuse_change()",
      );
    }
    await attacker.close();
    await expect(openLedger(store.config)).rejects.toBeInstanceOf(GuardError);
  });
});

describe("migrations", () => {
  it("refuse to run when an applied file was edited afterwards, or the database is newer than the code", async () => {
    const store = await freshStore("sqlite");
    const db = openDriver(store.config.database);
    try {
      const real = readMigrations(migrationsDir("sqlite"));
      expect(await migrate(db, real)).toEqual(real.map((m) => m.name));
      expect(await migrate(db, real)).toEqual([]);
      const edited = real.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
      await expect(migrate(db, edited)).rejects.toThrow(MigrationError);
      await expect(migrate(db, edited)).rejects.toThrow(/changed after it was applied/);
      await expect(migrate(db, [])).rejects.toThrow(/does not know/);
    } finally {
      await db.close();
      await store.cleanup();
    }
  });

  it("a failing migration leaves nothing half-applied", async () => {
    const store = await freshStore("postgres");
    const db = openDriver(store.config.database);
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mig-"));
      fs.writeFileSync(path.join(dir, "0001_ok.sql"), "CREATE TABLE a (x int);");
      fs.writeFileSync(path.join(dir, "0002_bad.sql"), "CREATE TABLE b (x int); SELECT no_such_function();");
      await expect(migrate(db, readMigrations(dir))).rejects.toThrow(/0002_bad.sql failed/);
      // One transaction for the run: neither table exists, no migration recorded.
      const t = await db.all<{ n: string }>(
        "SELECT table_name AS n FROM information_schema.tables WHERE table_name IN ('a','b','ledgerline_migrations')",
      );
      expect(t.map((r) => r.n)).not.toContain("b");
      const recorded = await db.all<{ name: string }>("SELECT name FROM ledgerline_migrations").catch(() => []);
      expect(recorded.map((r) => r.name)).not.toContain("0002_bad.sql");
    } finally {
      await db.close();
      await store.cleanup();
    }
  });
});
