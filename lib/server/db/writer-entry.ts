// The SQLite writer thread (writer-thread.ts): one write connection of its own, on which it
// commits the batches the sequencer planned (write-batch.ts), one at a time, in the order
// they arrive. Its busy handler may sleep this thread while another process holds the
// write lock; the event loop's thread never waits on it. Free of server-only code.
import { parentPort, workerData } from "node:worker_threads";
import { openSqlite, statementCache } from "./sqlite-open.ts";
import { applyWriteBatch, type BatchOutcome, type WriteBatch } from "./write-batch.ts";

export type WriterRequest = { id: number; batch: WriteBatch };
/** The last batch this thread was given, and whether it committed (WriteBatch.after). */
let last = { id: 0, committed: false };
export type WriterReply =
  { id: number; ok: true; outcome: BatchOutcome } | { id: number; ok: false; message: string; code?: string };

const db = openSqlite((workerData as { file: string }).file);
const prepare = statementCache(db);

parentPort!.on("message", (m: WriterRequest | "close") => {
  if (m === "close") {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    const { after } = m.batch;
    const outcome: BatchOutcome =
      after === null || (last.id === after && last.committed)
        ? applyWriteBatch(db, m.batch, prepare)
        : { committed: false, changed: `batch ${after}, planned before it, did not commit` };
    reply = { id: m.id, ok: true, outcome };
  } catch (e) {
    const err = e as Error & { code?: string };
    reply = { id: m.id, ok: false, message: err.message, code: err.code };
  }
  last = { id: m.id, committed: reply.ok && reply.outcome.committed };
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");
