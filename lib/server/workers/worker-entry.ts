// A worker thread of the pool (pool.ts): prepares ingest batches (scan, validate,
// canonical parts). Loads no server-only code — only lib/core, lib/schemas and the
// body scanner — so Next.js can bundle it as a worker entry of its own.
import { parentPort } from "node:worker_threads";
import { prepareBatch, type PrepareInput } from "../ingest/parse/prepare-batch.ts";

export type WorkerTask = { kind: "prepare"; input: PrepareInput };
export type WorkerRequest = { id: number; task: WorkerTask };
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export function runTask(task: WorkerTask): unknown {
  switch (task.kind) {
    case "prepare":
      return prepareBatch(task.input);
  }
}

parentPort?.on("message", (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: m.id, ok: true, value: runTask(m.task) };
  } catch (e) {
    reply = { id: m.id, ok: false, message: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
