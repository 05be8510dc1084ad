// A worker thread of the pool (pool.ts): prepares ingest batches (scan, validate,
// canonical parts) and recomputes stored leaf hashes for the verifier (leaf-task.ts).
// Loads no server-only code — only lib/core, lib/schemas, the body scanner and the
// database clients — so Next.js can bundle it as a worker entry of its own.
import { parentPort } from "node:worker_threads";
import { prepareBatch, type PrepareInput } from "../ingest/parse/prepare-batch.ts";
import { hashStoredLeaves, type LeafInput } from "./leaf-task.ts";

export type WorkerTask = { kind: "prepare"; input: PrepareInput } | { kind: "leaves"; input: LeafInput };
export type WorkerRequest = { id: number; task: WorkerTask };
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export function runTask(task: WorkerTask): unknown {
  switch (task.kind) {
    case "prepare":
      return prepareBatch(task.input);
    case "leaves":
      return hashStoredLeaves(task.input);
  }
}

parentPort?.on("message", (m: WorkerRequest) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      reply = { id: m.id, ok: true, value: await runTask(m.task) };
    } catch (e) {
      reply = { id: m.id, ok: false, message: (e as Error).stack ?? String(e) };
    }
    parentPort!.postMessage(reply);
  })();
});
