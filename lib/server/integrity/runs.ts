import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { camelColumns, numberOrNull } from "../db/rows.ts";
import type { IntegrityKind, RunMode, RunStatus } from "./types.ts";

// integrity_runs: the history of verifier runs. Rows are updated while a run
// progresses and never deleted. Written in short write transactions (the
// SQLite reader connection must not write while the sequencer holds the lock).

export type RunRow = {
  id: string;
  mode: RunMode;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  tree_size: number;
  verified_through: number;
  entries_checked: number;
  checkpoints_checked: number;
  first_bad_seq: number | null;
  reason: string | null;
  kind: IntegrityKind | null;
  progress_done: number;
  progress_total: number;
  requested_by: string | null;
};

export type Run = {
  id: string;
  mode: RunMode;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  treeSize: number;
  verifiedThrough: number;
  entriesChecked: number;
  checkpointsChecked: number;
  firstBadSeq: number | null;
  kind: IntegrityKind | null;
  reason: string | null;
  progress: { done: number; total: number };
  requestedBy: string | null;
};

/** What a finished run found: the counters and verdict both the row and the API carry. */
type RunFindings = Pick<
  Run,
  "treeSize" | "verifiedThrough" | "entriesChecked" | "checkpointsChecked" | "firstBadSeq" | "kind" | "reason"
>;

export function serializeRun(r: RunRow): Run {
  return {
    ...camelColumns(r, ["id", "mode", "status", "started_at", "finished_at", "kind", "reason", "requested_by"]),
    treeSize: Number(r.tree_size),
    verifiedThrough: Number(r.verified_through),
    entriesChecked: Number(r.entries_checked),
    checkpointsChecked: Number(r.checkpoints_checked),
    firstBadSeq: numberOrNull(r.first_bad_seq),
    progress: { done: Number(r.progress_done), total: Number(r.progress_total) },
  };
}

export async function insertRun(
  db: SqlDriver,
  mode: RunMode,
  requestedBy: string | null,
  id = uuidv7(),
): Promise<string> {
  await db.writeTransaction((tx) =>
    tx.run("INSERT INTO integrity_runs (id, mode, status, started_at, requested_by) VALUES (?, ?, 'running', ?, ?)", [
      id,
      mode,
      nowIso(),
      requestedBy,
    ]),
  );
  return id;
}

export async function updateProgress(db: SqlDriver, id: string, done: number, total: number): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run("UPDATE integrity_runs SET progress_done = ?, progress_total = ? WHERE id = ?", [done, total, id]),
  );
}

export async function finishRun(
  db: SqlDriver,
  id: string,
  r: RunFindings & { ok: boolean; mode: RunMode; progressTotal: number },
): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run(
      `UPDATE integrity_runs SET mode = ?, status = ?, finished_at = ?, tree_size = ?, verified_through = ?, entries_checked = ?,
         checkpoints_checked = ?, first_bad_seq = ?, reason = ?, kind = ?, progress_done = ?, progress_total = ? WHERE id = ?`,
      [
        r.mode,
        r.ok ? "ok" : "failed",
        nowIso(),
        r.treeSize,
        r.verifiedThrough,
        r.entriesChecked,
        r.checkpointsChecked,
        r.firstBadSeq,
        r.reason,
        r.kind,
        r.progressTotal,
        r.progressTotal,
        id,
      ],
    ),
  );
}

export async function findRun(db: SqlDriver, id: string): Promise<RunRow | undefined> {
  return db.get<RunRow>("SELECT * FROM integrity_runs WHERE id = ?", [id]);
}

export async function latestRuns(db: SqlDriver, limit: number, where = ""): Promise<RunRow[]> {
  return db.all<RunRow>(`SELECT * FROM integrity_runs ${where} ORDER BY started_at DESC, id DESC LIMIT ?`, [limit]);
}

/** Runs left 'running' by a process that ended: closed as failed (kind other) at the next start. */
export async function closeAbandonedRuns(db: SqlDriver, except: Set<string>): Promise<void> {
  const rows = await db.all<{ id: string }>("SELECT id FROM integrity_runs WHERE status = 'running'");
  for (const r of rows) {
    if (except.has(r.id)) continue;
    await db.writeTransaction((tx) =>
      tx.run(
        "UPDATE integrity_runs SET status = 'failed', finished_at = ?, kind = 'other', reason = ? WHERE id = ? AND status = 'running'",
        [nowIso(), "the run was interrupted (the server stopped before it finished)", r.id],
      ),
    );
  }
}
