import "server-only";
import type { SqlDriver } from "./driver.ts";

// The append-only guards are the database's own refusal to UPDATE, DELETE or
// TRUNCATE the ledger tables. Application code never relies on them for
// correctness, but an auditor does: the server checks them at every start and
// refuses to run on a store where any is missing, disabled or altered.

export const GUARDED_TABLES = [
  "entries",
  "merkle_nodes",
  "checkpoints",
  "cosignatures",
  "signing_keys",
  "key_rotations",
  "pruned_ranges",
  "erased_ranges",
  "entry_secrets",
] as const;

// The one UPDATE `entries` accepts (migration 0012, docs/retention.md): clearing a
// body along a prune receipt's ranges. Both dialects state the same condition; the
// check below compares the installed trigger / function with these texts exactly.
const PRUNE_CONDITION =
  "OLD.pruned_by IS NULL AND NEW.pruned_by IS NOT NULL AND OLD.seq < NEW.pruned_by " +
  "AND NEW.seq = OLD.seq AND NEW.leaf_hash = OLD.leaf_hash AND NEW.event_id = OLD.event_id " +
  "AND NEW.source = OLD.source AND NEW.ts = OLD.ts AND NEW.received_at = OLD.received_at " +
  "AND NEW.event_type = '' AND NEW.requester_id = '' AND NEW.requester_type = '' AND NEW.target_id = '' " +
  "AND NEW.outcome = '' AND NEW.requester_ip IS NULL AND NEW.target_service IS NULL AND NEW.target_type IS NULL " +
  "AND NEW.action IS NULL AND NEW.correlation_id IS NULL AND NEW.reason IS NULL AND NEW.attributes IS NULL " +
  "AND NEW.personal IS NULL " +
  "AND EXISTS (SELECT 1 FROM pruned_ranges r JOIN entries e ON e.seq = r.receipt_seq " +
  "WHERE r.receipt_seq = NEW.pruned_by AND OLD.seq BETWEEN r.first_seq AND r.last_seq " +
  "AND e.action = 'ledgerline.prune-receipt/v1' AND e.pruned_by IS NULL)";

const SQLITE_ENTRIES_UPDATE =
  `CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries WHEN NOT (${PRUNE_CONDITION}) ` +
  "BEGIN SELECT RAISE(ABORT, 'ledgerline: entries are append-only (UPDATE refused)'); END";

// The one DELETE `entry_secrets` accepts (migration 0016, docs/retention.md § Erasure):
// an erasure receipt lists the row's pointer and seq, or the entry's body was pruned.
const ERASE_CONDITION =
  "EXISTS (SELECT 1 FROM erased_ranges r JOIN entries e ON e.seq = r.receipt_seq " +
  "WHERE r.pointer = OLD.pointer AND OLD.seq BETWEEN r.first_seq AND r.last_seq " +
  "AND e.action = 'ledgerline.erasure-receipt/v1' AND e.pruned_by IS NULL) " +
  "OR EXISTS (SELECT 1 FROM entries p WHERE p.seq = OLD.seq AND p.pruned_by IS NOT NULL)";

const SQLITE_SECRETS_DELETE =
  `CREATE TRIGGER entry_secrets_no_delete BEFORE DELETE ON entry_secrets WHEN NOT (${ERASE_CONDITION}) ` +
  "BEGIN SELECT RAISE(ABORT, 'ledgerline: entry_secrets are append-only (DELETE refused)'); END";

const PG_ERASE_ONLY_BODY =
  `BEGIN IF ${ERASE_CONDITION} THEN RETURN OLD; END IF; ` +
  "RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END;";

/** Guard triggers whose text is a condition of their own (SQLite: the whole statement, compared exactly). */
const SQLITE_SPECIAL: Record<string, string> = {
  entries_no_update: SQLITE_ENTRIES_UPDATE,
  entry_secrets_no_delete: SQLITE_SECRETS_DELETE,
};

const PG_PRUNE_ONLY_BODY =
  `BEGIN IF ${PRUNE_CONDITION} THEN RETURN NEW; END IF; ` +
  "RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END;";

/** The function a PostgreSQL guard trigger runs: entries' UPDATE allows pruning only, the rest refuse everything. */
function pgGuardFunction(name: string): string {
  if (name === "entries_no_update") return "ledgerline_entries_prune_only";
  return name === "entry_secrets_no_delete" ? "ledgerline_secrets_erase_only" : "ledgerline_refuse_change";
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

export type GuardReport = { ok: true } | { ok: false; problems: string[] };

export class GuardError extends Error {
  constructor(readonly problems: string[]) {
    super(
      "The ledger's append-only guards are missing or altered, so Ledgerline refuses to start:\n" +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nThis database may have been tampered with. Keep a copy for investigation, run `ledgerline verify-log`, " +
        "and restore the guards from prisma/migrations before serving it again.",
    );
  }
}

const SQLITE_TRIGGER =
  /^CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE) ON (\w+)\s+BEGIN SELECT RAISE\(ABORT, 'ledgerline: [a-z_]+ are append-only \((UPDATE|DELETE) refused\)'\); END$/;

const PG_FUNCTION_BODY =
  "BEGIN RAISE EXCEPTION 'ledgerline: % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; END;";

/** Checks that every guard is present, enabled and unaltered. Returns, never throws for findings. */
export async function checkGuards(db: SqlDriver): Promise<GuardReport> {
  const problems = db.dialect === "sqlite" ? await checkSqlite(db) : await checkPostgres(db);
  return problems.length ? { ok: false, problems } : { ok: true };
}

export async function assertGuards(db: SqlDriver): Promise<void> {
  const r = await checkGuards(db);
  if (!r.ok) throw new GuardError(r.problems);
}

async function checkSqlite(db: SqlDriver): Promise<string[]> {
  const rows = await db.all<{ name: string; tbl_name: string; sql: string }>(
    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'",
  );
  const found = new Map(rows.map((r) => [r.name, r]));
  const problems: string[] = [];
  for (const table of GUARDED_TABLES) {
    for (const op of ["UPDATE", "DELETE"] as const) {
      const name = `${table}_no_${op.toLowerCase()}`;
      const row = found.get(name);
      if (!row) {
        problems.push(`trigger ${name} (refuses ${op} on ${table}) is missing`);
        continue;
      }
      if (name in SQLITE_SPECIAL) {
        if (squash(row.sql) !== SQLITE_SPECIAL[name])
          problems.push(`trigger ${name} was altered: ${squash(row.sql).slice(0, 200)}`);
        continue;
      }
      const m = SQLITE_TRIGGER.exec(squash(row.sql));
      if (!m || m[1] !== name || m[2] !== op || m[3] !== table || m[4] !== op) {
        problems.push(`trigger ${name} was altered: ${row.sql.replace(/\s+/g, " ").slice(0, 200)}`);
      }
    }
  }
  return problems;
}

async function checkPostgres(db: SqlDriver): Promise<string[]> {
  const problems: string[] = [];
  const role = await db.get<{ role: string }>("SELECT current_setting('session_replication_role') AS role");
  if (role?.role !== "origin") {
    problems.push(`session_replication_role is "${role?.role}", which silences triggers; it must be "origin"`);
  }
  const fn = await db.get<{ src: string }>(
    "SELECT prosrc AS src FROM pg_proc WHERE proname = 'ledgerline_refuse_change' AND pronamespace = current_schema()::regnamespace",
  );
  if (!fn) problems.push("function ledgerline_refuse_change() is missing");
  else if (fn.src.replace(/\s+/g, " ").trim() !== PG_FUNCTION_BODY) {
    problems.push(
      `function ledgerline_refuse_change() was altered: ${fn.src.replace(/\s+/g, " ").trim().slice(0, 200)}`,
    );
  }
  const prune = await db.get<{ src: string }>(
    "SELECT prosrc AS src FROM pg_proc WHERE proname = 'ledgerline_entries_prune_only' AND pronamespace = current_schema()::regnamespace",
  );
  if (!prune) problems.push("function ledgerline_entries_prune_only() is missing");
  else if (squash(prune.src) !== PG_PRUNE_ONLY_BODY) {
    problems.push(`function ledgerline_entries_prune_only() was altered: ${squash(prune.src).slice(0, 200)}`);
  }
  const erase = await db.get<{ src: string }>(
    "SELECT prosrc AS src FROM pg_proc WHERE proname = 'ledgerline_secrets_erase_only' AND pronamespace = current_schema()::regnamespace",
  );
  if (!erase) problems.push("function ledgerline_secrets_erase_only() is missing");
  else if (squash(erase.src) !== PG_ERASE_ONLY_BODY) {
    problems.push(`function ledgerline_secrets_erase_only() was altered: ${squash(erase.src).slice(0, 200)}`);
  }
  const rows = await db.all<{ name: string; enabled: string; def: string }>(
    `SELECT t.tgname AS name, t.tgenabled AS enabled, pg_get_triggerdef(t.oid) AS def
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`,
  );
  const found = new Map(rows.map((r) => [r.name, r]));
  for (const table of GUARDED_TABLES) {
    for (const op of ["UPDATE", "DELETE", "TRUNCATE"] as const) {
      const name = `${table}_no_${op.toLowerCase()}`;
      const row = found.get(name);
      if (!row) {
        problems.push(`trigger ${name} (refuses ${op} on ${table}) is missing`);
        continue;
      }
      if (row.enabled !== "O" && row.enabled !== "A") problems.push(`trigger ${name} is disabled`);
      const each = op === "TRUNCATE" ? "STATEMENT" : "ROW";
      const expected = new RegExp(
        `^CREATE TRIGGER ${name} BEFORE ${op} ON (\\w+\\.)?${table} FOR EACH ${each} EXECUTE FUNCTION (\\w+\\.)?${pgGuardFunction(name)}\\(\\)$`,
      );
      if (!expected.test(row.def)) problems.push(`trigger ${name} was altered: ${row.def.slice(0, 200)}`);
    }
  }
  return problems;
}
