import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { inject } from "vitest";
import { loadConfig, type Config } from "@/lib/server/config.ts";
import type { Principal } from "@/lib/server/auth/principal.ts";
import type { Role } from "@/lib/server/auth/permissions.ts";
import { buildApi } from "@/lib/server/http/api.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import type { EntryRow } from "@/lib/server/ledger/entry.ts";
import { readableRows } from "@/lib/server/events/personal-view.ts";
import { createRuntime, type Runtime } from "@/lib/server/runtime/runtime.ts";

// Fresh, real stores for integration tests: a new SQLite file in a temp data
// dir, or a new database on the test PostgreSQL cluster. `attacker` is a raw
// connection with the powers of someone holding the file / a superuser login,
// for tests that tamper with the store behind the application's back.

export type Dialect = "sqlite" | "postgres";
export const DIALECTS: Dialect[] = ["sqlite", "postgres"];

export type Attacker = { exec(sql: string, params?: unknown[]): Promise<unknown[]>; close(): Promise<void> };

export type TestStore = {
  dialect: Dialect;
  config: Config;
  env: Record<string, string>;
  attacker(): Promise<Attacker>;
  cleanup(): Promise<void>;
};

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function freshStore(dialect: Dialect, env: Record<string, string> = {}): Promise<TestStore> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-test-"));
  let dbEnv: Record<string, string> = {};
  let adminUrl = "";
  let dbName = "";
  if (dialect === "postgres") {
    const { url, adminUrl: admin } = inject("pg");
    dbName = `t_${crypto.randomBytes(6).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName} OWNER ledgerline`);
    await c.end();
    adminUrl = withDatabase(admin, dbName);
    dbEnv = { DATABASE_URL: withDatabase(url, dbName) };
  }
  const fullEnv = { LEDGERLINE_DATA_DIR: dataDir, LEDGERLINE_DEMO: "off", ...dbEnv, ...env };
  const config = loadConfig(fullEnv);
  return {
    dialect,
    config,
    env: fullEnv,
    async attacker() {
      if (dialect === "sqlite") {
        const db = new Database((config.database as { file: string }).file);
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
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      return {
        async exec(sql, params = []) {
          return (await c.query(sql, params)).rows;
        },
        async close() {
          await c.end();
        },
      };
    },
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dialect === "postgres") {
        const c = new pg.Client({ connectionString: inject("pg").adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      }
    },
  };
}

export async function freshLedger(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<{ store: TestStore; ledger: Runtime; cleanup(): Promise<void> }> {
  const store = await freshStore(dialect, env);
  const ledger = await openRuntime(store.config);
  return {
    store,
    ledger,
    async cleanup() {
      await ledger.close();
      await store.cleanup();
    },
  };
}

/** A runtime (ledger + this process's in-memory state) on `config`, no timers: close() drops it. */
export async function openRuntime(config: Config): Promise<Runtime> {
  return createRuntime(await openLedger(config));
}

/**
 * /api/v1 exactly as the server mounts it, on this runtime, with a fixed caller
 * (a principal, a function of the request, or nobody).
 */
export function testApi(rt: Runtime, caller: Principal | null | ((req: Request) => Promise<Principal | null>) = null) {
  return buildApi({
    runtime: async () => rt,
    principal: typeof caller === "function" ? caller : async () => caller,
  });
}

/** A POST as a sender makes it: JSON unless `headers` says otherwise, with the bearer key when there is one. */
export function ingestRequest(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  auth: string | null = null,
): Request {
  return new Request(url, {
    method: "POST",
    body: body as BodyInit,
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers },
  });
}

/** One source's entries in seq order (key administration writes meta-audit entries under another source). */
export async function sourceEntries(rt: Runtime, source: string) {
  const rows = await rt.db.all<EntryRow>("SELECT * FROM entries WHERE source = ? ORDER BY seq", [source]);
  // As a reader sees them: personal fields of leaf v2 entries put back from entry_secrets.
  return (await readableRows(rt.db, rows)).map((r) => r.entry);
}

/** A user signed in to the dashboard with `role` (from 192.0.2.9). */
export const sessionUser = (role: Role): Principal => ({
  kind: "user",
  userId: `u-${role}`,
  email: `${role}@test`,
  name: null,
  role,
  via: "session",
  ip: "192.0.2.9",
});

let counter = 0;
/** A valid event; `over` replaces top-level fields. */
export function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    timestamp: new Date(Date.UTC(2026, 10, 27, 12, 0, 0, counter % 1000)).toISOString(),
    eventType: "read",
    requester: { id: "spiffe://test.example/ns/shop/sa/orders", type: "service", ip: "10.0.0.7" },
    target: { id: `db://payments-pg/cardholder.cards/${counter}`, service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: "success",
    correlationId: `corr-${counter % 17}`,
    attributes: { "http.response.status_code": 200, n: counter },
    ...over,
  };
}
