import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, inject } from "vitest";
import { loadConfig, type Config } from "@/lib/server/config.ts";
import type { Principal } from "@/lib/server/auth/principal.ts";
import type { Role, TokenScope } from "@/lib/server/auth/permissions.ts";
import { buildApi } from "@/lib/server/http/api.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import type { EntryRow } from "@/lib/server/ledger/entry.ts";
import { readableRows } from "@/lib/server/events/personal-view.ts";
import { openAttacker, type Attacker } from "./raw-store.ts";
import { createRuntime, type Runtime } from "@/lib/server/runtime/runtime.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";

// Fresh, real stores for integration tests: a new SQLite file in a temp data
// dir, or a new database on the test PostgreSQL cluster. `attacker` is a raw
// connection with the powers of someone holding the file / a superuser login,
// for tests that tamper with the store behind the application's back.

export type Dialect = "sqlite" | "postgres";
export const DIALECTS: Dialect[] = ["sqlite", "postgres"];

export type { Attacker };

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
    attacker: () =>
      openAttacker(
        dialect === "sqlite" ? { sqliteFile: (config.database as { file: string }).file } : { postgresUrl: adminUrl },
      ),
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

/**
 * A fresh store and runtime for each test of the describe block that calls this (made in
 * beforeEach, dropped in afterEach): read `fresh.ledger` / `fresh.store` inside a test, never
 * at describe time. The set-up the int tests of traces, ingest and integrity each wrote out.
 */
export function eachFreshLedger(dialect: Dialect, env: Record<string, string> = {}) {
  const fresh = {} as Awaited<ReturnType<typeof freshLedger>>;
  beforeEach(async () => {
    Object.assign(fresh, await freshLedger(dialect, env));
  });
  afterEach(async () => {
    await fresh.cleanup();
  });
  return fresh;
}

/** Appends `events` under `source` with the sequencer, as ingest does; their seqs, or a throw when refused. */
export async function appendEvents(rt: Runtime, source: string, events: NormalizedEvent[]): Promise<number[]> {
  const r = await rt.sequencer.append(source, events);
  if (!r.ok) throw new Error(`append failed: ${JSON.stringify(r.conflicts)}`);
  return r.items.map((i) => i.seq);
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

/** A user of `role` calling the read API with a personal token of `scopes` (from `ip`). */
export const tokenUser = (role: Role, scopes: readonly TokenScope[], ip = "192.0.2.9"): Principal => ({
  kind: "user",
  userId: `u-${role}`,
  email: `${role}@test`,
  name: null,
  role,
  via: "token",
  scopes,
  ip,
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

/** A valid, normalized event (the fixture of stores.ts), ready for the sequencer. */
export function validEvent(over: Record<string, unknown> = {}) {
  const r = validateEvent(event(over));
  if (!r.ok) throw new Error(`bad fixture: ${JSON.stringify(r.errors)}`);
  return r.event;
}
