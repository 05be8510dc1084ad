/**
 * Smoke test for test/support/pg-cluster.ts.
 *   npx tsx test/support/pg-cluster.selftest.ts
 * Exits non-zero on failure.
 */
import { existsSync } from "node:fs";
import assert from "node:assert/strict";
import pg from "pg";
import { createDatabase, startPgCluster, type PgCluster } from "./pg-cluster.ts";

const tag = `[selftest ${process.pid}]`;
const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round(performance.now() - t);
  }
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url, ssl: false });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const total = performance.now();
  let cluster: PgCluster | undefined;
  try {
    cluster = await timed("start", () => startPgCluster({ log: (m) => console.log(`${tag} ${m}`) }));
    const c = cluster;
    console.log(`${tag} url=${c.url.replace(/:[^:@/]+@/, ":***@")} port=${c.port} dataDir=${c.dataDir}`);
    assert.match(c.url, /^postgresql:\/\/ledgerline:[^@]+@127\.0\.0\.1:\d+\/ledgerline$/);
    assert.match(c.adminUrl, /^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/ledgerline$/);

    const [v] = await timed("select version()", () => query<{ version: string }>(c.url, "select version()"));
    console.log(`${tag} ${v?.version}`);

    const [me] = await query<{
      usesuper: boolean;
      user: string;
      db: string;
      fsync: string;
      maxconn: string;
      enc: string;
    }>(
      c.url,
      `select r.rolsuper as usesuper, current_user as user, current_database() as db,
              current_setting('fsync') as fsync, current_setting('max_connections') as maxconn,
              pg_encoding_to_char(d.encoding) as enc
         from pg_roles r, pg_database d
        where r.rolname = current_user and d.datname = current_database()`,
    );
    assert.equal(me?.user, "ledgerline");
    assert.equal(me?.db, "ledgerline");
    assert.equal(me?.usesuper, false, "application role must not be a superuser");
    assert.equal(me?.fsync, "on");
    assert.equal(me?.maxconn, "200");
    assert.equal(me?.enc, "UTF8");

    // App role can create tables in its own database (PG15 public-schema rules).
    await query(c.url, "create table t(id int primary key); insert into t values (1); drop table t");

    const [admin] = await query<{ rolsuper: boolean }>(
      c.adminUrl,
      "select rolsuper from pg_roles where rolname = current_user",
    );
    assert.equal(admin?.rolsuper, true, "adminUrl must be a superuser");

    const url2 = await timed("createDatabase", () => createDatabase(c, "ledgerline_second"));
    const [d2] = await query<{ db: string; owner: string }>(
      url2,
      "select current_database() as db, pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()",
    );
    assert.equal(d2?.db, "ledgerline_second");
    assert.equal(d2?.owner, "ledgerline");

    await assert.rejects(createDatabase(c, "ledgerline_second"), /already exists/);

    await timed("stop", () => c.stop());
    assert.equal(existsSync(c.dataDir), false, "data dir must be removed by stop()");
    await c.stop(); // idempotent
    cluster = undefined;
  } finally {
    await cluster?.stop().catch(() => {});
  }
  timings.total = Math.round(performance.now() - total);
  console.log(`${tag} PASS timings(ms): ${JSON.stringify(timings)}`);
}

main().catch((e: unknown) => {
  console.error(`${tag} FAIL`, e);
  process.exitCode = 1;
});
