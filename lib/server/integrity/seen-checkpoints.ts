import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { toBase64 } from "@/lib/core/index.ts";
import { nowIso } from "../db/ids.ts";
import { checkpointRowText, checkpointsDigest, type Cp, type Snapshot } from "./checkpoints.ts";
import type { DeletedCheckpoint, VerifierState } from "./state.ts";

// Every checkpoint the verifier has seen, one JSON line each, next to
// verifier-state.json and outside the database for the same reason: someone
// who deletes a checkpoint row (to hide the moment a tree size was signed, or
// to make a later rewrite harder to pin down) cannot make the verifier forget
// it. Append-only: a clean run appends the new checkpoints; the state records
// how many bytes are valid, so a crash between the append and the state write
// only leaves lines that the next append truncates.
//
// The state's digest over the checkpoint rows stays the fast path: this file is
// read only when that digest no longer matches (or on a full pass).

type SeenLine = { size: number; signedAt: string; root: string; keyId: string; row: string };

export function seenCheckpointsFile(dataDir: string): string {
  return path.join(dataDir, "verifier-checkpoints.jsonl");
}

/** SHA-256 of one checkpoint row as checkpointsDigest hashes it: a changed row (not only a deleted one) shows. */
function rowDigest(c: Cp): string {
  return crypto.createHash("sha256").update(checkpointRowText(c)).digest("hex");
}

function readSeen(dataDir: string, bytes: number): SeenLine[] {
  if (bytes <= 0) return [];
  let buf: Buffer;
  try {
    buf = fs.readFileSync(seenCheckpointsFile(dataDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return buf
    .subarray(0, bytes)
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as SeenLine);
}

export type CheckpointMemory = {
  /** The state the pass should run with: when only deletions changed the checkpoint rows, their digest is the current one. */
  passState: VerifierState;
  /** Every deleted checkpoint known (the state's, plus the ones found now). */
  deleted: DeletedCheckpoint[];
  found: number;
};

/**
 * Compares the stored checkpoints with the ones the verifier saw. Deletions are
 * named; when they are the only change, the pass runs with the digest of what
 * is left (so incremental runs stay incremental while the deletion stays a
 * failure); any other change keeps the old digest, so the pass escalates and
 * names it.
 */
export function compareSeenCheckpoints(
  dataDir: string,
  state: VerifierState,
  snap: Snapshot,
  full: boolean,
): CheckpointMemory {
  const known = state.deletedCheckpoints ?? [];
  const rememberedCp = state.checkpoint?.treeSize ?? 0;
  const unchanged = (): CheckpointMemory => ({ passState: state, deleted: known, found: 0 });
  if (!full) {
    // The fast path: the rows the verifier saw are all still there, unchanged.
    const d = checkpointsDigest(snap.cps, rememberedCp);
    if (d.digest === state.checkpointsDigest && d.count === state.checkpointCount) return unchanged();
  }
  const seen = readSeen(dataDir, state.seenCheckpointsBytes ?? 0);
  if (!seen.length) return unchanged();
  const stored = new Map(snap.cps.map((c) => [c.size, c]));
  const found: DeletedCheckpoint[] = [];
  let otherwiseChanged = false;
  for (const s of seen) {
    const c = stored.get(s.size);
    if (!c) {
      if (!known.some((k) => k.treeSize === s.size)) found.push(deletedFrom(s));
    } else if (rowDigest(c) !== s.row) otherwiseChanged = true;
  }
  const deleted = [...known, ...found].sort((a, b) => a.treeSize - b.treeSize);
  if (otherwiseChanged || !deleted.length)
    return { passState: { ...state, deletedCheckpoints: deleted }, deleted, found: found.length };
  // Only deletions: the pass compares what is left with the seen rows' digest minus them.
  const d = checkpointsDigest(snap.cps, rememberedCp);
  return {
    passState: { ...state, deletedCheckpoints: deleted, checkpointsDigest: d.digest, checkpointCount: d.count },
    deleted,
    found: found.length,
  };
}

function deletedFrom(s: SeenLine): DeletedCheckpoint {
  return {
    treeSize: s.size,
    signedAt: s.signedAt,
    root: s.root,
    keyId: s.keyId,
    detectedAt: nowIso(),
    acknowledged: null,
  };
}

/**
 * Appends the checkpoints above `fromSize` to the file (truncated first to the
 * `validBytes` the state vouches for) and returns the new valid length.
 */
export function appendSeenCheckpoints(dataDir: string, validBytes: number, cps: Cp[], fromSize: number): number {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = seenCheckpointsFile(dataDir);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    fs.ftruncateSync(fd, validBytes);
    const lines = cps
      .filter((c) => c.size > fromSize)
      .map(
        (c) =>
          JSON.stringify({
            size: c.size,
            signedAt: c.row.created_at,
            root: toBase64(c.root),
            keyId: c.row.key_id,
            row: rowDigest(c),
          } satisfies SeenLine) + "\n",
      )
      .join("");
    if (!lines) return validBytes;
    const written = fs.writeSync(fd, lines, validBytes);
    fs.fsyncSync(fd);
    return validBytes + written;
  } finally {
    fs.closeSync(fd);
  }
}

/** The finding that deleted, unacknowledged checkpoints are: it stays until an admin acknowledges each. */
export function deletedCheckpointsReason(deleted: DeletedCheckpoint[]): string | null {
  const open = deleted.filter((d) => !d.acknowledged);
  if (!open.length) return null;
  const named = open
    .slice(0, 5)
    .map((d) => `checkpoint ${d.treeSize} (signed ${d.signedAt}, key ${d.keyId})`)
    .join(", ");
  const more = open.length > 5 ? ` and ${open.length - 5} more` : "";
  return (
    `${open.length === 1 ? "a signed checkpoint the verifier had seen was" : `${open.length} signed checkpoints the verifier had seen were`} deleted: ${named}${more}. ` +
    `The entries still verify; an admin acknowledges the deletion on the integrity page once it is explained (the acknowledgement is recorded in the log)`
  );
}
