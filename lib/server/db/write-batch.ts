import type Database from "better-sqlite3";
import type { Param, Row } from "./sql.ts";

// A write planned on SQLite's reader connection and committed by the writer thread
// (db/writer-thread.ts, issue 16). The sequencer's group commit reads (the log's head,
// the ids already stored, the last checkpoint) and then writes what those reads
// decide. Planned on the event loop's thread, its reads run on the reader connection
// and are kept with their answers (`checks`); its writes are only recorded (`ops`).
// The writer thread then takes the write lock, runs every read again and compares:
// only when each answers exactly what the plan saw does it execute the writes and
// commit. Same answers under the lock mean the same writes the plan would have made
// inside the transaction, so the commit is the one an in-transaction plan would have
// made; any difference (another process wrote meanwhile) rolls back and the caller
// plans again inside a transaction. No server-only code: the writer thread loads it.

/** A read the plan made and what it answered (`one`: get, the first row only). */
export type ReadCheck = { sql: string; params: Param[]; one: boolean; rows: Row[] };
/** A recorded write: one statement run once per row of parameters, or a script. */
export type WriteOp = { sql: string; rows: Param[][] } | { script: string };
/**
 * `after`: the batch this one was planned on top of, while that one was still being committed
 * (its reads could not see that batch's writes): this one applies only if that one committed,
 * and was the last batch before it.
 */
export type WriteBatch = { after: number | null; checks: ReadCheck[]; ops: WriteOp[] };
/** committed, or the first read whose answer changed (the plan is then void: nothing was written). */
export type BatchOutcome = { committed: true } | { committed: false; changed: string };

/**
 * Runs `batch` as one transaction on `db` (a write connection): BEGIN IMMEDIATE (waiting up
 * to the connection's busy_timeout for another process's write), every check, then every
 * write, then COMMIT. Throws what SQLite throws, after rolling back.
 */
export function applyWriteBatch(
  db: Database.Database,
  batch: WriteBatch,
  prepare: (sql: string) => Database.Statement = (sql) => db.prepare(sql),
): BatchOutcome {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const c of batch.checks) {
      if (!sameRows(readRows(prepare(c.sql), c.one, c.params), c.rows)) {
        db.exec("ROLLBACK");
        return { committed: false, changed: c.sql };
      }
    }
    for (const op of batch.ops) {
      if ("script" in op) {
        db.exec(op.script);
        continue;
      }
      const s = prepare(op.sql);
      for (const r of op.rows) s.run(...r);
    }
    db.exec("COMMIT");
    return { committed: true };
  } catch (e) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

/** What a read answers, as a check keeps it: all rows, or (`one`, a get) the first row if any. */
export function readRows(s: Database.Statement, one: boolean, params: Param[]): Row[] {
  return (one ? [s.get(...params)].filter((r) => r !== undefined) : s.all(...params)) as Row[];
}

/** Rows equal column by column: numbers, strings, null, bigints by value; blobs byte by byte. */
export function sameRows(a: Row[], b: Row[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) if (!(k in y) || !sameValue(x[k], y[k])) return false;
  }
  return true;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    if (!(x instanceof Uint8Array && y instanceof Uint8Array) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  return x === y;
}
