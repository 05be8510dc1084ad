import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { WitnessedState } from "@/lib/core/tlog/index.ts";

// The witness's own state: per log origin, the latest checkpoint it cosigned; plus every
// validly signed request that contradicted it (evidence of log misbehaviour). One SQLite
// file with synchronous=FULL, so a commit survives a crash or power cut; the check of the
// old size and the update run in one IMMEDIATE transaction, so two requests (or two
// processes) can never roll the state back (tlog-witness §add-checkpoint's race).

export type StoredLog = WitnessedState & { checkpoint: string; updatedAt: string };

export type Evidence = {
  id: number;
  origin: string;
  kind: string;
  detail: string;
  request: string;
  receivedAt: string;
};

export class WitnessState {
  private readonly db: Database.Database;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.db = new Database(path.join(dir, "witness.db"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS logs (
        origin     TEXT PRIMARY KEY,
        size       INTEGER NOT NULL CHECK (size >= 0),
        root       BLOB NOT NULL CHECK (length(root) = 32),
        checkpoint TEXT NOT NULL,   -- the log-signed note that was cosigned
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS evidence (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        origin      TEXT NOT NULL,
        kind        TEXT NOT NULL,
        detail      TEXT NOT NULL,
        request     TEXT NOT NULL,  -- the whole add-checkpoint body, log signature included
        received_at TEXT NOT NULL
      );
    `);
  }

  /**
   * Binds the state to one cosigner key: a state dir written under another key is refused,
   * so two witnesses (or a re-keyed one) never share, and silently continue, one history.
   */
  bindCosigner(vkey: string): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'cosigner'").get() as { value: string } | undefined;
    if (!row) this.db.prepare("INSERT INTO meta (key, value) VALUES ('cosigner', ?)").run(vkey);
    else if (row.value !== vkey) {
      throw new Error(
        `this state directory belongs to the witness key ${row.value}, not ${vkey}: use the matching --key-file, or a new --state directory for a new key`,
      );
    }
  }

  get(origin: string): StoredLog | null {
    const r = this.db.prepare("SELECT size, root, checkpoint, updated_at FROM logs WHERE origin = ?").get(origin) as
      { size: number; root: Buffer; checkpoint: string; updated_at: string } | undefined;
    return r
      ? { size: Number(r.size), rootHash: new Uint8Array(r.root), checkpoint: r.checkpoint, updatedAt: r.updated_at }
      : null;
  }

  /** Runs `fn` in one IMMEDIATE (write-locked) transaction; committed, and fsynced, when it returns. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  put(origin: string, next: WitnessedState, checkpoint: string, now: string): void {
    this.db
      .prepare(
        "INSERT INTO logs (origin, size, root, checkpoint, updated_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
      )
      .run(origin, next.size, Buffer.from(next.rootHash), checkpoint, now);
  }

  addEvidence(e: Omit<Evidence, "id">): void {
    this.db
      .prepare("INSERT INTO evidence (origin, kind, detail, request, received_at) VALUES (?, ?, ?, ?, ?)")
      .run(e.origin, e.kind, e.detail, e.request, e.receivedAt);
  }

  evidence(): Evidence[] {
    return (
      this.db
        .prepare("SELECT id, origin, kind, detail, request, received_at FROM evidence ORDER BY id")
        .all() as Array<{
        id: number;
        origin: string;
        kind: string;
        detail: string;
        request: string;
        received_at: string;
      }>
    ).map((r) => ({ ...r, receivedAt: r.received_at }));
  }

  close(): void {
    this.db.close();
  }
}
