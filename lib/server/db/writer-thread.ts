import "server-only";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { sourceWorker } from "../runtime/compiled-entry.ts";
import type { BatchOutcome, WriteBatch } from "./write-batch.ts";
import type { WriterReply } from "./writer-entry.ts";

// SQLite's group commits, executed off the event loop (issue 16). better-sqlite3 is
// synchronous: on the event loop's thread a group's inserts, rollups and its fsynced
// COMMIT (~45 ms for 800 events) held every request, body and prepare worker still.
// This thread owns a write connection of its own and commits the batches the
// sequencer planned (write-batch.ts says why a planned batch commits exactly what an
// in-transaction plan would). One thread per store, started with the driver; if it
// cannot start or dies, plannedWrite goes back to transactions on the event loop's
// thread, with one log line — slower, never lost.

/** A commit whose outcome nobody knows (the thread died during it): not to be retried blindly. */
export class CommitOutcomeUnknown extends Error {
  readonly outcomeUnknown = true;
}

export class WriterThread {
  private worker: Worker | null = null;
  private readonly started: Promise<boolean>;
  private readonly waiting = new Map<number, { resolve: (o: BatchOutcome) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private down = false;

  constructor(
    file: string,
    private readonly log: (m: string) => void = console.error,
  ) {
    this.started = this.start(file);
  }

  private async start(file: string): Promise<boolean> {
    try {
      const worker = await spawnWriter(file);
      if (this.down) {
        void worker.terminate();
        return false;
      }
      this.worker = worker;
      // Held (ref) only while it starts or a commit is in flight: an idle writer thread
      // does not keep a CLI process alive, a pending commit does.
      const ready = new Promise<boolean>((resolve) => {
        worker.on("message", (r: WriterReply | "ready") => {
          if (r === "ready") {
            if (!this.waiting.size) worker.unref();
            return resolve(true);
          }
          const w = this.waiting.get(r.id);
          if (!w) return;
          this.waiting.delete(r.id);
          if (!this.waiting.size) worker.unref();
          if (r.ok) w.resolve(r.outcome);
          else w.reject(Object.assign(new Error(r.message), r.code ? { code: r.code } : {}));
        });
        worker.on("error", (e) => {
          this.stop(`the writer thread failed: ${e.message}`);
          resolve(false);
        });
        worker.on("exit", (code) => {
          this.stop(`the writer thread exited with code ${code}`);
          resolve(false);
        });
      });
      return await ready;
    } catch (e) {
      this.stop(`the writer thread could not start: ${(e as Error).message}`);
      return false;
    }
  }

  private stop(why: string): void {
    if (!this.down) this.log(`[ledgerline] SQLite writes run on the main thread (${why})`);
    this.down = true;
    this.worker = null;
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(new CommitOutcomeUnknown(`${why} while committing; whether that commit landed is unknown`));
    }
  }

  /** True once the thread runs; false if it could not start or has stopped. */
  async ready(): Promise<boolean> {
    return (await this.started) && !this.down;
  }

  /**
   * Sends `batch` to the thread (write-batch.ts): its id at once (what a batch planned on top of
   * it names as `after`), its outcome when committed. Call only after ready() answered true.
   */
  apply(batch: WriteBatch): { id: number; outcome: Promise<BatchOutcome> } {
    const worker = this.worker;
    const id = this.nextId++;
    if (!worker) return { id, outcome: Promise.reject(new Error("the SQLite writer thread is not running")) };
    const outcome = new Promise<BatchOutcome>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, batch });
    });
    return { id, outcome };
  }

  async close(): Promise<void> {
    await this.started;
    const worker = this.worker;
    this.down = true;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise((r) => worker.once("exit", r));
    worker.ref();
    worker.postMessage("close");
    await exited;
  }
}

/** Next.js bundles `new Worker(new URL(…, import.meta.url))` as a worker of its own; from the sources, see sourceWorker. */
async function spawnWriter(file: string): Promise<Worker> {
  const workerData = { file };
  if (process.env.NEXT_RUNTIME)
    return new Worker(new URL("./writer-entry.ts", import.meta.url), { name: "ledgerline-writer", workerData });
  const spawn = await sourceWorker(fileURLToPath(new URL("./writer-entry.ts", import.meta.url)), "writer");
  return spawn({ workerData });
}
