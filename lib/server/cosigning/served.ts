import "server-only";
import { appendSignatures } from "@/lib/core/note.ts";
import type { SqlDriver } from "../db/driver.ts";
import { latestCheckpointRow } from "../ledger/store/checkpoints.ts";
import { cosignaturesOf } from "../ledger/store/cosignatures.ts";

// What GET /api/v1/checkpoint and /tlog/checkpoint serve: the latest checkpoint note with
// every stored witness cosignature appended as an extra signature line (c2sp.org/tlog-witness:
// "the client MAY concatenate it to the checkpoint"; c2sp.org/signed-note: verifiers ignore
// lines of keys they do not know). Whether the lines reach a quorum is for the reader to
// check with its own policy — the server only reports what it holds.

export type ServedCheckpoint = { treeSize: number; note: string; createdAt: string; cosignatures: number };

/** The latest checkpoint with its cosignature lines, or null when none was signed. */
export async function latestCosignedCheckpoint(db: SqlDriver): Promise<ServedCheckpoint | null> {
  const cp = await latestCheckpointRow(db);
  if (!cp) return null;
  const rows = await cosignaturesOf(db, cp.tree_size);
  return {
    treeSize: cp.tree_size,
    note: rows.length
      ? appendSignatures(
          cp.note,
          rows.map((r) => r.line),
        )
      : cp.note,
    createdAt: cp.created_at,
    cosignatures: rows.length,
  };
}
