// Faults: the store stops taking writes while the server runs — disk full
// (SQLite and PostgreSQL, on a small tmpfs, needs root) and read-only
// (PostgreSQL: the cluster switched to default_transaction_read_only, as a
// primary demoted to a standby would answer). Ingest must answer 503 with
// Retry-After, acknowledge nothing it did not store, and take events again
// once the fault is fixed; the log verifies afterwards.
//
// SQLite read-only at run time has no real mechanism here: a mounted file
// system refuses to go read-only while the server holds its WAL open for
// writing (EBUSY), and chmod does not revoke open descriptors. Disk full is
// the same failure for SQLite (the write inside the transaction fails), so it
// stands for both; the read-only case runs on PostgreSQL.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDatabase, type PgCluster } from "../support/pg-cluster.ts";
import {
  Checks,
  createIngestKey,
  log,
  makeEvent,
  postBatch,
  sleep,
  startServer,
  stopServer,
  storedIds,
  verifyLog,
  type Server,
  type Store,
} from "./support.ts";

const SOURCE = "spiffe://stress.example/ns/faults/sa/writer";
const isRoot = process.getuid?.() === 0;

/** A small tmpfs (root only); null, with the reason logged, where it cannot be mounted. */
function mountTmpfs(sizeMiB: number, owner?: string): { dir: string; unmount(): void } | null {
  if (!isRoot) {
    log(`faults: SKIPPED disk full — mounting a small tmpfs needs root (run as root, or in CI as root)`);
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-stress-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMiB}m,mode=0755`, "tmpfs", dir], { encoding: "utf8" });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    log(
      `faults: SKIPPED disk full — mount -t tmpfs failed (${r.stderr.trim()}); a container without CAP_SYS_ADMIN cannot mount`,
    );
    return null;
  }
  if (owner) spawnSync("chown", [owner, dir]);
  return {
    dir,
    unmount() {
      spawnSync("umount", ["-l", dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system holding `dir` to the last byte; returns the filler's path. */
function fillDisk(dir: string): string {
  const file = path.join(dir, "filler");
  const fd = fs.openSync(file, "w");
  try {
    for (const size of [1 << 20, 1 << 12, 1 << 9, 1]) {
      const buf = Buffer.alloc(size, 0x55);
      for (;;) {
        try {
          fs.writeSync(fd, buf);
        } catch {
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

type FaultResult = { name: string; during: Map<number, number>; retryAfterAll: boolean; recoveredS: number | null };

/**
 * Breaks the store with `breakIt`, POSTs batches until the server answers a 503
 * (or gives up), fixes it with `fixIt`, then POSTs until a 2xx returns. Tracks
 * every acknowledged id and checks each one is stored exactly once.
 */
async function exercise(
  checks: Checks,
  label: string,
  server: Server,
  store: Store,
  key: string,
  breakIt: () => Promise<void> | void,
  fixIt: () => Promise<void> | void,
): Promise<FaultResult> {
  const acked = new Set<string>();
  let n = 0;
  const prefix = `fault-${label.replace(/\W+/g, "-")}-${Date.now().toString(36)}`;
  const send = async (size: number) => {
    const r = await postBatch(
      server.url,
      key,
      Array.from({ length: size }, () => makeEvent(prefix, n++)),
    );
    for (const id of r.acked) acked.add(id);
    return r;
  };
  const before = await send(20);
  checks.check(`${label}: ingest works before the fault`, before.status === 201, `status ${before.status}`);

  await breakIt();
  const during = new Map<number, number>();
  let retryAfterAll = true;
  let saw503 = false;
  // A full disk may still have room in the WAL or free pages: keep writing until the store refuses.
  for (let i = 0; i < 60 && !saw503; i++) {
    const r = await send(200);
    during.set(r.status, (during.get(r.status) ?? 0) + 1);
    if (r.status === 503) {
      saw503 = true;
      if (!r.retryAfter || !(Number(r.retryAfter) > 0)) retryAfterAll = false;
    } else if (r.status !== 201) break;
  }
  // A few more while broken: each must be a 503 too.
  for (let i = 0; i < 3 && saw503; i++) {
    const r = await send(50);
    during.set(r.status, (during.get(r.status) ?? 0) + 1);
    if (r.status === 503 && !(Number(r.retryAfter) > 0)) retryAfterAll = false;
  }
  const statuses = [...during.entries()].map(([s, c]) => `${s}×${c}`).join(" ");
  checks.check(
    `${label}: ingest answers 503 with Retry-After (never another 5xx)`,
    saw503 && retryAfterAll && [...during.keys()].every((s) => s === 201 || s === 503),
    statuses,
  );

  await fixIt();
  const t0 = Date.now();
  let recoveredS: number | null = null;
  while (Date.now() - t0 < 30_000) {
    const r = await send(20);
    if (r.status === 201) {
      recoveredS = (Date.now() - t0) / 1000;
      break;
    }
    await sleep(Math.min(1000, Number(r.retryAfter ?? 1) * 1000));
  }
  checks.check(
    `${label}: takes events again once fixed`,
    recoveredS !== null,
    recoveredS === null ? "still refusing after 30 s" : `after ${recoveredS.toFixed(1)} s`,
  );

  const ids = await storedIds(store, SOURCE);
  const wrong = [...acked].filter((id) => ids.get(id) !== 1);
  const extra = [...ids.keys()].filter((id) => id.startsWith(prefix) && !acked.has(id));
  checks.check(
    `${label}: every acknowledged event stored once, nothing stored that was refused`,
    wrong.length === 0 && extra.length === 0,
    `${acked.size} acknowledged, ${wrong.length} not stored once, ${extra.length} stored but refused`,
  );
  return { name: label, during, retryAfterAll, recoveredS };
}

/** The log verifies end to end after the fault is fixed. */
function checkVerifiesAfter(checks: Checks, label: string, store: Store): void {
  const v = verifyLog(store);
  checks.check(
    `${label}: the log verifies afterwards`,
    v.ok,
    `tree size ${v.treeSize}${v.reason ? `, ${v.reason}` : ""}`,
  );
}

type PgAdmin = (sql: string, db?: string) => Promise<void>;

/** One statement as the cluster's superuser, on a connection of its own. */
function pgAdmin(cluster: PgCluster): PgAdmin {
  return async (sql, db = "postgres") => {
    const u = new URL(cluster.adminUrl);
    u.pathname = `/${db}`;
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
}

// ── SQLite: disk full ────────────────────────────────────────────────────
async function sqliteDiskFull(checks: Checks): Promise<void> {
  const fsq = mountTmpfs(48);
  if (!fsq) return;
  const store: Store = { dialect: "sqlite", dataDir: path.join(fsq.dir, "data") };
  let server: Server | null = null;
  try {
    server = await startServer(store);
    const key = createIngestKey(store, SOURCE);
    let filler = "";
    await exercise(
      checks,
      "sqlite disk full",
      server,
      store,
      key,
      () => void (filler = fillDisk(fsq.dir)),
      () => fs.rmSync(filler, { force: true }),
    );
    checkVerifiesAfter(checks, "sqlite disk full", store);
  } catch (e) {
    if (server) console.error(`--- server log ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    if (server) await stopServer(server);
    fsq.unmount();
  }
}

// ── PostgreSQL: read-only ────────────────────────────────────────────────
async function pgReadOnly(checks: Checks, cluster: PgCluster, admin: PgAdmin): Promise<void> {
  const url = await createDatabase(cluster, `faults_ro_${Date.now().toString(36)}`);
  const store: Store = {
    dialect: "postgres",
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-stress-pgro-")),
    databaseUrl: url,
  };
  let server: Server | null = null;
  try {
    server = await startServer(store);
    const key = createIngestKey(store, SOURCE);
    await exercise(
      checks,
      "postgres read-only",
      server,
      store,
      key,
      // Reloaded configuration reaches every open session at its next transaction.
      async () => {
        await admin("ALTER SYSTEM SET default_transaction_read_only = on");
        await admin("SELECT pg_reload_conf()");
        await sleep(300);
      },
      async () => {
        await admin("ALTER SYSTEM RESET default_transaction_read_only");
        await admin("SELECT pg_reload_conf()");
        await sleep(300);
      },
    );
    checkVerifiesAfter(checks, "postgres read-only", store);
  } catch (e) {
    if (server) console.error(`--- server log ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    await admin("ALTER SYSTEM RESET default_transaction_read_only")
      .then(() => admin("SELECT pg_reload_conf()"))
      .catch(() => undefined);
    if (server) await stopServer(server);
    fs.rmSync(store.dataDir, { recursive: true, force: true });
  }
}

// ── PostgreSQL: disk full (a tablespace on a small tmpfs) ────────────────
async function pgDiskFull(checks: Checks, cluster: PgCluster, admin: PgAdmin): Promise<void> {
  const fpg = mountTmpfs(24, "ledgerline-test");
  if (!fpg) return;
  const space = `faults_space_${Date.now().toString(36)}`;
  const dbName = `faults_full_${Date.now().toString(36)}`;
  const tsDir = path.join(fpg.dir, "ts");
  fs.mkdirSync(tsDir);
  spawnSync("chown", ["ledgerline-test", tsDir]);
  fs.chmodSync(tsDir, 0o700);
  let server: Server | null = null;
  const store: Store = {
    dialect: "postgres",
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-stress-pgfull-")),
  };
  try {
    await admin(`CREATE TABLESPACE ${space} LOCATION '${tsDir}'`);
    await admin(`GRANT CREATE ON TABLESPACE ${space} TO ledgerline`);
    const url = await createDatabase(cluster, dbName);
    await admin(`ALTER DATABASE ${dbName} SET TABLESPACE ${space}`);
    store.databaseUrl = url;
    server = await startServer(store);
    const key = createIngestKey(store, SOURCE);
    let filler = "";
    await exercise(
      checks,
      "postgres disk full",
      server,
      store,
      key,
      () => void (filler = fillDisk(fpg.dir)),
      () => fs.rmSync(filler, { force: true }),
    );
    checkVerifiesAfter(checks, "postgres disk full", store);
  } catch (e) {
    if (server) console.error(`--- server log ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    if (server) await stopServer(server);
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin(`DROP TABLESPACE IF EXISTS ${space}`).catch(() => undefined);
    fs.rmSync(store.dataDir, { recursive: true, force: true });
    fpg.unmount();
  }
}

/** Disk full and read-only stores, SQLite then PostgreSQL: refusals with Retry-After, recovery, nothing lost. */
export async function runFaults(checks: Checks, cluster: PgCluster | null): Promise<void> {
  await sqliteDiskFull(checks);
  if (!cluster) {
    log("faults: SKIPPED PostgreSQL faults — no cluster");
    return;
  }
  const admin = pgAdmin(cluster);
  await pgReadOnly(checks, cluster, admin);
  await pgDiskFull(checks, cluster, admin);
}
