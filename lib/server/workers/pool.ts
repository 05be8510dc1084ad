import "server-only";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { sourceWorker } from "../runtime/compiled-entry.ts";
import { prepareBatch, type PrepareInput, type PrepareResult } from "../ingest/parse/prepare-batch.ts";
import { hashStoredLeaves, type LeafBatch, type LeafInput } from "./leaf-task.ts";
import type { WorkerReply, WorkerRequest, WorkerTask } from "./worker-entry.ts";

// The CPU work of ingest — body scan, validation, canonical JSON — and of full
// verification — recomputing every leaf hash — runs in a pool of worker threads,
// so the event loop only routes requests, the sequencer only writes and the
// verifier only folds hashes into the tree. Size: LEDGERLINE_WORKERS, default the number of cores
// (os.availableParallelism()): the main thread mostly waits on fsync and
// sockets meanwhile. 0 turns the pool off (everything in-process). Workers start
// on the first task; one that fails to start or dies turns the pool off with a
// log line, and tasks then run in-process — slower, never lost.

export type WorkerPool = {
  readonly size: number;
  /** Prepares one ingest body (lib/server/ingest/parse/prepare-batch.ts). */
  prepare(input: PrepareInput): Promise<PrepareResult>;
  /** Reads and re-hashes one batch of stored entries for the verifier (leaf-task.ts). */
  hashLeaves(input: LeafInput): Promise<LeafBatch>;
  /** Tasks sent to a worker and not yet answered: admission control counts them. */
  pending(): number;
  close(): Promise<void>;
};

type Slot = { worker: Worker; busy: number };

export function createWorkerPool(size: number, log: (m: string) => void = console.error): WorkerPool {
  const slots: Slot[] = [];
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; slot: Slot }>();
  let nextId = 1;
  let disabled = size <= 0;

  const fail = (why: string) => {
    if (!disabled) log(`[ledgerline] worker pool off (${why}); ingest work runs in-process`);
    disabled = true;
    for (const s of slots.splice(0)) void s.worker.terminate();
    // Tasks already sent are answered in-process: nothing acknowledged is lost.
    for (const [id, w] of waiting) {
      waiting.delete(id);
      w.reject(new PoolDown());
    }
  };

  let starting: Promise<boolean> | null = null;
  const start = (): Promise<boolean> => {
    if (disabled) return Promise.resolve(false);
    starting ??= (async () => {
      try {
        const spawn = await workerSpawner();
        if (disabled) return false;
        for (let i = 0; i < size; i++) {
          const worker = spawn();
          const slot: Slot = { worker, busy: 0 };
          worker.unref();
          worker.on("message", (r: WorkerReply) => {
            const w = waiting.get(r.id);
            if (!w) return;
            waiting.delete(r.id);
            w.slot.busy--;
            if (r.ok) w.resolve(r.value);
            else w.reject(new Error(r.message));
          });
          worker.on("error", (e) => fail(`a worker failed: ${e.message}`));
          worker.on("exit", (code) => {
            if (!disabled && code !== 0) fail(`a worker exited with code ${code}`);
          });
          slots.push(slot);
        }
        return true;
      } catch (e) {
        fail(`workers could not start: ${(e as Error).message}`);
        return false;
      }
    })();
    return starting.then((ok) => ok && !disabled);
  };

  async function run<T>(task: WorkerTask, inProcess: () => T | Promise<T>): Promise<T> {
    if (!(await start())) return inProcess();
    const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = nextId++;
    slot.busy++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, slot });
      // Copied, not transferred: a task of a pool that goes down is redone in-process.
      slot.worker.postMessage({ id, task } satisfies WorkerRequest);
    }).catch((e: unknown) => {
      if (e instanceof PoolDown) return inProcess();
      throw e;
    });
  }

  return {
    get size() {
      return disabled ? 0 : size;
    },
    prepare(input) {
      return run({ kind: "prepare", input }, () => prepareBatch(input));
    },
    hashLeaves(input) {
      return run({ kind: "leaves", input }, () => hashStoredLeaves(input));
    },
    pending: () => waiting.size,
    async close() {
      disabled = true;
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}

class PoolDown extends Error {}

/**
 * How worker threads start. `new Worker(new URL(…, import.meta.url))` is the form
 * Next.js (Turbopack) recognizes and bundles as a worker of its own, so it works
 * under `next start`. Run from the sources (the CLI, tests, the bench), see sourceWorker.
 */
async function workerSpawner(): Promise<() => Worker> {
  // NEXT_RUNTIME is set in code Next.js bundled (where import.meta.url still names the .ts source).
  if (process.env.NEXT_RUNTIME)
    return () => new Worker(new URL("./worker-entry.ts", import.meta.url), { name: "ledgerline-worker" });
  const spawn = await sourceWorker(fileURLToPath(new URL("./worker-entry.ts", import.meta.url)), "worker");
  return () => spawn();
}
