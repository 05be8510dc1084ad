import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDriver, plannedWriteCounts, type SqlDriver } from "./driver.ts";
import { applyWriteBatch } from "./write-batch.ts";

// plannedWrite on SQLite: a plan made on the reader connection, committed by the writer
// thread only when every read answers the same under the write lock; otherwise planned
// again inside a transaction. Real files, a real thread, a second connection as the
// other process.

describe("SQLite writer thread (plannedWrite)", () => {
  const dirs: string[] = [];
  const open: SqlDriver[] = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function store(): Promise<{ db: SqlDriver; file: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-writer-"));
    dirs.push(dir);
    const file = path.join(dir, "store.db");
    const db = openDriver({ dialect: "sqlite", file, url: `file:${file}` }, { writerThread: true });
    open.push(db);
    await db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL, b BLOB)");
    return { db, file };
  }

  /** The plan: append one row numbered after what it read, with that count in its text. */
  const appendAfter = (tag: string, meanwhile?: () => void) => async (tx: SqlDriver) => {
    const n = Number((await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM t"))!.n);
    meanwhile?.();
    await tx.run("INSERT INTO t (k, v, b) VALUES (?, ?, ?)", [n + 1, `${tag} after ${n}`, new Uint8Array([n, 255])]);
    return n;
  };

  it("commits a plan on the writer thread: rows, blobs and the answer are the plan's", async () => {
    const { db } = await store();
    expect(await db.plannedWrite(appendAfter("a"))).toBe(0);
    expect(await db.plannedWrite(appendAfter("b"))).toBe(1);
    expect(await db.all("SELECT k, v, hex(b) AS b FROM t ORDER BY k")).toEqual([
      { k: 1, v: "a after 0", b: "00FF" },
      { k: 2, v: "b after 1", b: "01FF" },
    ]);
    expect(plannedWriteCounts(db)).toEqual({ threaded: 2, again: 0 });
  });

  it("a read whose answer changed before the lock (another process wrote) voids the plan: it runs again in a transaction", async () => {
    const { db, file } = await store();
    const other = new Database(file);
    let calls = 0;
    const n = await db.plannedWrite(
      appendAfter("mine", () => {
        if (calls++ === 0) other.prepare("INSERT INTO t (k, v) VALUES (1, 'other')").run();
      }),
    );
    other.close();
    // Without the re-read the plan's k = 1 would collide with the other row (or, without a key,
    // silently claim a count that is no longer true).
    expect(n).toBe(1);
    expect(calls).toBe(2);
    expect(await db.all("SELECT k, v FROM t ORDER BY k")).toEqual([
      { k: 1, v: "other" },
      { k: 2, v: "mine after 1" },
    ]);
    expect(plannedWriteCounts(db)).toEqual({ threaded: 0, again: 1 });
  });

  it("a plan that reads after it wrote runs in a transaction, where it sees its own write", async () => {
    const { db } = await store();
    const seen = await db.plannedWrite(async (tx) => {
      await tx.run("INSERT INTO t (k, v) VALUES (1, 'x')");
      return (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM t"))!.n;
    });
    expect(seen).toBe(1);
    expect(plannedWriteCounts(db)).toEqual({ threaded: 0, again: 1 });
  });

  it("a failing write rolls the whole batch back and says why; the thread goes on", async () => {
    const { db } = await store();
    await db.plannedWrite(appendAfter("a"));
    const failing = db.plannedWrite(async (tx) => {
      await tx.insertMany(
        "t",
        ["k", "v"],
        [
          [5, "kept?"],
          [1, "duplicate key"],
        ],
      );
    });
    await expect(failing).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    expect(await db.all("SELECT k FROM t ORDER BY k")).toEqual([{ k: 1 }]);
    expect(await db.plannedWrite(appendAfter("b"))).toBe(1);
    expect(plannedWriteCounts(db)).toEqual({ threaded: 2, again: 0 });
  });

  it("a plan made on top of a batch still being committed commits only after that batch did", async () => {
    const { db, file } = await store();
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE"); // the other process holds the write lock: batch A waits for it
    let aSent!: (id: number | null) => void;
    const aId = new Promise<number | null>((r) => (aSent = r));
    const a = db.plannedWrite(appendAfter("A"), { sent: aSent });
    const after = (await aId)!;
    expect(after).toBeGreaterThan(0);
    // B is planned on top of A: it states what A leaves (one row) instead of reading it.
    const b = db.plannedWrite(
      async (tx) => {
        const n = tx.expect
          ? (tx.expect("SELECT COUNT(*) AS n FROM t", [], [{ n: 1 }]), 1)
          : Number((await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM t"))!.n);
        await tx.run("INSERT INTO t (k, v) VALUES (?, ?)", [n + 1, `B after ${n}`]);
        return n;
      },
      { after },
    );
    // Meanwhile the other process writes a row: A's read no longer holds, and B's statement
    // (one row) would hold — but B stood on A, which did not commit.
    other.prepare("INSERT INTO t (k, v) VALUES (1, 'other')").run();
    other.exec("COMMIT");
    other.close();
    expect(await a).toBe(1);
    expect(await b).toBe(2);
    expect(await db.all("SELECT k, v FROM t ORDER BY k")).toEqual([
      { k: 1, v: "other" },
      { k: 2, v: "A after 1" },
      { k: 3, v: "B after 2" },
    ]);
    expect(plannedWriteCounts(db)).toEqual({ threaded: 0, again: 2 });
  });

  it("applyWriteBatch compares every read under the lock before it writes anything", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-writer-"));
    dirs.push(dir);
    const db = new Database(path.join(dir, "b.db"));
    db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB)");
    db.prepare("INSERT INTO t VALUES (1, ?)").run(Buffer.from([1, 2]));
    const batch = (blob: number[]) => ({
      after: null,
      checks: [{ sql: "SELECT k, b FROM t", params: [], one: false, rows: [{ k: 1, b: new Uint8Array(blob) }] }],
      ops: [{ sql: "INSERT INTO t VALUES (?, NULL)", rows: [[2], [3]] }],
    });
    expect(applyWriteBatch(db, batch([1, 3]))).toEqual({ committed: false, changed: "SELECT k, b FROM t" });
    expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 1 });
    expect(db.inTransaction).toBe(false);
    expect(applyWriteBatch(db, batch([1, 2]))).toEqual({ committed: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 3 });
    db.close();
  });
});
