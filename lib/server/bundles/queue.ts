import "server-only";
import fs from "node:fs";
import path from "node:path";
import { Mutex } from "../db/driver.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { BundleBuildError, bundlesDir } from "./build.ts";
import { buildBundleIsolated } from "./build-process.ts";
import { claimNext, failInterrupted, markFailed, markReady, setProgress, type BundleRow } from "./store.ts";

// The background builder: one bundle at a time per ledger, in this process, in
// request order. Progress is kept in memory for the live view and written to the
// row once per page. A bundle left 'building' by a process that stopped is
// failed the first time this process touches bundles (its temp files are
// removed); queued ones are simply built.

type Worker = {
  ready: Promise<void>;
  loop: Promise<void> | null;
  live: { id: string; done: number; total: number } | null;
};

/** This process's bundle builder for one ledger, started on first use; it hangs off the Runtime. */
export type BundleQueue = {
  worker: Worker | null;
  /** "Count, record, insert" of a new bundle as one step, so one user's concurrent requests cannot all pass the
   * pending-bundle bound. (Several instances on one PostgreSQL can each let one more through; the bound stays small.) */
  creating: Mutex;
};

/** The part of a Runtime the bundle service needs. */
export type BundleRuntime = Ledger & { bundles: BundleQueue };

export function createBundleQueue(): BundleQueue {
  return { worker: null, creating: new Mutex() };
}

function workerOf(rt: BundleRuntime): Worker {
  let w = rt.bundles.worker;
  if (!w) {
    const created: Worker = { ready: recover(rt), loop: null, live: null };
    created.ready.catch(() => {
      if (rt.bundles.worker === created) rt.bundles.worker = null;
    });
    rt.bundles.worker = w = created;
  }
  return w;
}

async function recover(ledger: Ledger): Promise<void> {
  await failInterrupted(ledger.db);
  const dir = bundlesDir(ledger.config.dataDir);
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir))
      if (f.startsWith(".build-")) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  }
}

/** Makes sure interrupted bundles were closed and queued ones are being built. */
export async function ensureBundleWorker(ledger: BundleRuntime): Promise<void> {
  const w = workerOf(ledger);
  await w.ready;
  kick(ledger, w);
}

function kick(ledger: Ledger, w: Worker): void {
  w.loop ??= run(ledger, w).finally(() => {
    w.loop = null;
  });
}

async function run(ledger: Ledger, w: Worker): Promise<void> {
  for (;;) {
    let row: BundleRow | null;
    try {
      row = await claimNext(ledger.db);
    } catch (e) {
      console.error(`[ledgerline] bundle queue: ${(e as Error).message}`);
      return;
    }
    if (!row) return;
    await buildOne(ledger, w, row);
  }
}

async function buildOne(ledger: Ledger, w: Worker, row: BundleRow): Promise<void> {
  w.live = { id: row.id, done: 0, total: 0 };
  try {
    const r = await buildBundleIsolated(
      ledger,
      {
        id: row.id,
        createdAt: row.created_at,
        createdBy: row.created_by,
        filter: JSON.parse(row.filter),
        report: row.report ? JSON.parse(row.report) : null,
        withheld: row.withheld ? JSON.parse(row.withheld) : [],
      },
      async (done, total) => {
        w.live = { id: row.id, done, total };
        await setProgress(ledger.db, row.id, done, total);
      },
    );
    await markReady(ledger.db, row.id, { count: r.count, treeSize: r.treeSize, size: r.size, sha256: r.sha256 });
  } catch (e) {
    const known = e instanceof BundleBuildError;
    if (!known) console.error(`[ledgerline] bundle ${row.id} failed:`, e);
    const message = known
      ? (e as Error).message
      : "an unexpected error stopped the build (the server log has details); create it again, and if it fails again tell your administrator";
    await markFailed(ledger.db, row.id, message).catch((err) =>
      console.error(`[ledgerline] bundle ${row.id}: could not record the failure: ${(err as Error).message}`),
    );
  } finally {
    w.live = null;
  }
}

/** In-memory progress of the bundle being built now in this process, if it is `id`. */
export function liveProgress(ledger: BundleRuntime, id: string): { done: number; total: number } | null {
  const live = ledger.bundles.worker?.live;
  return live && live.id === id ? { done: live.done, total: live.total } : null;
}

/** Resolves when the queue has nothing left to build (tests, shutdown). */
export async function whenBundlesIdle(ledger: BundleRuntime): Promise<void> {
  const w = ledger.bundles.worker;
  if (!w) return;
  await w.ready.catch(() => undefined);
  while (w.loop) await w.loop;
}
