import "server-only";
import type { BundleWitnesses } from "@/lib/core/bundle/format.ts";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso } from "../db/ids.ts";

// The bundles table: one row per requested export, moving through queued →
// building → ready | failed. Written in short write transactions (the SQLite
// reader connection must not write while the sequencer holds the lock).

export type BundleStatus = "queued" | "building" | "ready" | "failed";

export type BundleRow = {
  id: string;
  status: BundleStatus;
  created_by: string;
  created_at: string;
  filter: string;
  progress_done: number;
  progress_total: number;
  entry_count: number | null;
  tree_size: number | null;
  size_bytes: number | null;
  sha256: string | null;
  error: string | null;
  finished_at: string | null;
  /** A review pack's report spec (JSON, migration 0015); null for a plain export. */
  report: string | null;
  /** Personal-field pointers withheld from the bundle (JSON list, migration 0020); null: none. */
  withheld: string | null;
};

export type Bundle = {
  id: string;
  status: BundleStatus;
  createdBy: string;
  createdAt: string;
  filter: EventFilter;
  /** Personal-field pointers the bundle withholds (its manifest's `withheld`). */
  withheld: string[];
  progress: { done: number; total: number };
  count: number | null;
  treeSize: number | null;
  size: number | null;
  sha256: string | null;
  error: string | null;
  finishedAt: string | null;
  /** Where a ready bundle is downloaded from. */
  downloadUrl: string | null;
  /** A ready bundle's manifest.witnesses (GET /api/v1/bundles/{id} only): null when built without witnesses. */
  witnesses?: BundleWitnesses | null;
};

const num = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));

export function serializeBundle(r: BundleRow): Bundle {
  return {
    id: r.id,
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    filter: JSON.parse(r.filter) as EventFilter,
    withheld: r.withheld ? (JSON.parse(r.withheld) as string[]) : [],
    progress: { done: Number(r.progress_done), total: Number(r.progress_total) },
    count: num(r.entry_count),
    treeSize: num(r.tree_size),
    size: num(r.size_bytes),
    sha256: r.sha256,
    error: r.error,
    finishedAt: r.finished_at,
    downloadUrl: r.status === "ready" ? `/api/v1/bundles/${r.id}/download` : null,
  };
}

export async function insertBundle(
  db: SqlDriver,
  b: { id: string; createdBy: string; createdAt: string; filter: EventFilter; withheld?: string[] },
): Promise<void> {
  const withheld = b.withheld?.length ? JSON.stringify(b.withheld) : null;
  await db.writeTransaction((tx) =>
    tx.run(
      "INSERT INTO bundles (id, status, created_by, created_at, filter, withheld) VALUES (?, 'queued', ?, ?, ?, ?)",
      [b.id, b.createdBy, b.createdAt, JSON.stringify(b.filter), withheld],
    ),
  );
}

/** How many bundles `createdBy` has waiting or being built. */
export async function pendingBundleCount(db: SqlDriver, createdBy: string): Promise<number> {
  const r = await db.get<{ n: number | string }>(
    "SELECT COUNT(*) AS n FROM bundles WHERE created_by = ? AND status IN ('queued', 'building')",
    [createdBy],
  );
  return Number(r?.n ?? 0);
}

export async function findBundle(db: SqlDriver, id: string): Promise<BundleRow | undefined> {
  return db.get<BundleRow>("SELECT * FROM bundles WHERE id = ?", [id]);
}

export async function listBundleRows(db: SqlDriver, limit = 100): Promise<BundleRow[]> {
  return db.all<BundleRow>("SELECT * FROM bundles ORDER BY created_at DESC, id DESC LIMIT ?", [limit]);
}

/** Claims the oldest queued bundle for building; null when none is waiting. */
export async function claimNext(db: SqlDriver): Promise<BundleRow | null> {
  for (;;) {
    const next = await db.get<BundleRow>(
      "SELECT * FROM bundles WHERE status = 'queued' ORDER BY created_at, id LIMIT 1",
    );
    if (!next) return null;
    const won = await db.writeTransaction((tx) =>
      tx.run("UPDATE bundles SET status = 'building' WHERE id = ? AND status = 'queued'", [next.id]),
    );
    if (won === 1) return { ...next, status: "building" };
  }
}

export async function setProgress(db: SqlDriver, id: string, done: number, total: number): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run("UPDATE bundles SET progress_done = ?, progress_total = ? WHERE id = ?", [done, total, id]),
  );
}

export async function markReady(
  db: SqlDriver,
  id: string,
  r: { count: number; treeSize: number; size: number; sha256: string },
): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run(
      `UPDATE bundles SET status = 'ready', entry_count = ?, tree_size = ?, size_bytes = ?, sha256 = ?, progress_done = ?, progress_total = ?,
         error = NULL, finished_at = ? WHERE id = ?`,
      [r.count, r.treeSize, r.size, r.sha256, r.count, r.count, nowIso(), id],
    ),
  );
}

export async function markFailed(db: SqlDriver, id: string, error: string): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run("UPDATE bundles SET status = 'failed', error = ?, finished_at = ? WHERE id = ?", [
      error.slice(0, 2000),
      nowIso(),
      id,
    ]),
  );
}

export const INTERRUPTED = "interrupted: the server stopped while this bundle was being built; create it again";

/** Bundles left 'building' by a process that ended are failed (their temp files are gone with it). */
export async function failInterrupted(db: SqlDriver): Promise<number> {
  return db.writeTransaction((tx) =>
    tx.run("UPDATE bundles SET status = 'failed', error = ?, finished_at = ? WHERE status = 'building'", [
      INTERRUPTED,
      nowIso(),
    ]),
  );
}
