import "server-only";
import fs from "node:fs";
import type { Config } from "../config.ts";
import { openDriver, tightenSqliteModes, type SqlDriver } from "../db/driver.ts";
import { assertGuards } from "../db/guards.ts";
import { migrate } from "../db/migrate.ts";
import { openPrisma, type Prisma } from "../db/prisma.ts";
import { Sequencer } from "./sequencer.ts";
import { loadSigningKey, registerSigningKey, signingKeyFile, type SigningKey } from "./signing.ts";

// Opening a ledger = connect, apply pending migrations, check the append-only
// guards (refuse to go on without them), then hand out the one sequencer.
// Nothing here starts a timer or touches process state: the server's start-up
// (seed, checkpoint timer, verifier schedule) is lib/server/runtime/runtime.ts.

export type Ledger = {
  config: Config;
  db: SqlDriver;
  prisma: Prisma;
  sequencer: Sequencer;
  signingKey(): Promise<SigningKey>;
  close(): Promise<void>;
};

export type OpenOptions = {
  log?: (m: string) => void;
  /**
   * false: skip migrations and the guard check — only for a helper process of a
   * server that already did both at its start (the bundle builder child), so a
   * store tampered with since is reported by the build itself, not by a refusal to open.
   */
  checkStore?: boolean;
  /**
   * SQLite: commit the sequencer's group commits on a writer thread (db/writer-thread.ts).
   * Default: when the worker pool is on (LEDGERLINE_WORKERS > 0).
   */
  writerThread?: boolean;
};

export async function openLedger(config: Config, opts: OpenOptions = {}): Promise<Ledger> {
  // The data dir holds the signing key, the session secret and (SQLite) every entry: this user's only.
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.database.dialect === "sqlite") {
    for (const line of tightenSqliteModes(config.database.file)) opts.log?.(line);
  }
  const db = openDriver(config.database, { writerThread: opts.writerThread ?? config.workers > 0, log: opts.log });
  let prisma: Prisma | null = null;
  try {
    if (opts.checkStore !== false) {
      const ran = await migrate(db);
      if (ran.length) opts.log?.(`applied migrations: ${ran.join(", ")}`);
      await assertGuards(db);
    }
    prisma = openPrisma(config.database);
    if (config.database.dialect === "sqlite") {
      // better-sqlite3 builds default WAL connections to synchronous=NORMAL; admin
      // writes (ingest keys) must be as durable as entries.
      await prisma.$executeRawUnsafe("PRAGMA synchronous = FULL");
    }
    let key: Promise<SigningKey> | null = null;
    let loaded: SigningKey | null = null;
    let loadedFrom: string | null = null;
    // The key file's identity (inode, mtime, size): `signing-key rotate` replaces
    // the file by an atomic rename, and a running server picks the new key up at
    // its next checkpoint (one stat per call). A missing file keeps the loaded key.
    const keyFile = signingKeyFile(config.dataDir);
    const fileStamp = (): string | null => {
      try {
        const st = fs.statSync(keyFile);
        return `${st.ino}:${st.mtimeMs}:${st.size}`;
      } catch {
        return null;
      }
    };
    // Loaded on first use: CLI commands that never sign never create a key file
    // (and a CLI's meta-audit appends are checkpointed by the server, not by it).
    const signingKey = () => {
      if (key && loaded && loaded.origin !== "env") {
        const now = fileStamp();
        if (now !== null && now !== loadedFrom) key = null;
      }
      return (key ??= (async () => {
        const stamp = config.signingKey ? null : fileStamp();
        const k = loadSigningKey(config);
        await registerSigningKey(db, k, config.origin);
        if (loaded && loaded.keyIdHex !== k.keyIdHex) opts.log?.(`signing key changed: now ${k.verifierKey}`);
        loaded = k;
        loadedFrom = stamp ?? fileStamp();
        return k;
      })().catch((e) => {
        key = null;
        throw e;
      }));
    };
    const sequencer = new Sequencer(db, {
      origin: config.origin,
      signer: signingKey,
      loadedSigner: () => loaded,
      checkpointEvery: config.checkpointEvery,
      log: opts.log,
    });
    const p = prisma;
    return {
      config,
      db,
      prisma: p,
      sequencer,
      signingKey,
      async close() {
        await p.$disconnect();
        await db.close();
      },
    };
  } catch (e) {
    await prisma?.$disconnect().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }
}
