import "server-only";
import crypto from "node:crypto";
import {
  bytesEqual,
  consistencyProofFrom,
  fromBase64,
  openNote,
  parseCheckpoint,
  toBase64,
  verifyConsistency,
} from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { keysValidAt, validityProblem, type DatedKey } from "../ledger/signing.ts";
import { allCheckpoints, type CheckpointRow } from "../ledger/store/checkpoints.ts";
import { headAndCount } from "../ledger/store/entries.ts";
import { storedRangeHasher, TreeReadError } from "../ledger/tree.ts";
import type { VerifierState } from "./state.ts";
import type { Finding } from "./types.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// What the passes check about checkpoints before (and besides) the entries:
// which keys to trust, each signed note, the remembered state against the
// stored checkpoints (rollback, fork), and RFC 9162 consistency between
// successive checkpoints.

/** A trusted key; with createdAt/retiredAt it verifies only checkpoints created within that period. */
export type Verifier = DatedKey;

export type Cp = { size: number; root: Uint8Array; row: CheckpointRow };
export type Snapshot = { cps: Cp[]; head: number; count: number };
export type Progress = (done: number, total: number) => void;

/**
 * One stored checkpoint: a valid signed note by a key valid at its creation
 * time, for this origin, whose text matches its row's size and root. Returns
 * why it is not, or null. Every pass checks every note it relies on with this.
 */
export function checkCheckpointNote(c: CheckpointRow, opts: { origin: string; verifiers: Verifier[] }): string | null {
  const size = Number(c.tree_size);
  const opened = openNote(c.note, keysValidAt(opts.verifiers, c.created_at));
  if (!opened.ok) {
    const outside = validityProblem(opts.verifiers, c.note, c.created_at);
    return `checkpoint ${size}: ${outside ?? opened.reason}`;
  }
  let parsed;
  try {
    parsed = parseCheckpoint(opened.text);
  } catch (e) {
    return `checkpoint ${size}: ${(e as Error).message}`;
  }
  if (parsed.origin !== opts.origin) return `checkpoint ${size} is for origin "${parsed.origin}", not "${opts.origin}"`;
  if (parsed.size !== size || !bytesEqual(parsed.rootHash, new Uint8Array(c.root_hash))) {
    return `checkpoint ${size}: stored size/root differ from its signed note`;
  }
  return null;
}

/** Checkpoints first, then the entry count: every checkpoint read is covered by entries committed before it. */
export async function takeSnapshot(db: SqlDriver): Promise<Snapshot> {
  const cps = (await allCheckpoints(db)).map((row) => ({
    size: row.tree_size,
    root: new Uint8Array(row.root_hash),
    row,
  }));
  const { head, count } = await headAndCount(db);
  return { cps, head, count };
}

/** SHA-256 over the checkpoint rows up to `size`: any change to an old checkpoint changes it. */
export function checkpointsDigest(cps: Cp[], size: number): { digest: string; count: number } {
  const h = crypto.createHash("sha256");
  let count = 0;
  for (const c of cps) {
    if (c.size > size) break;
    count++;
    h.update(checkpointRowText(c)).update("\0");
  }
  return { digest: h.digest("hex"), count };
}

/** What the verifier remembers of one checkpoint row: size, root, signing time, key and the signed note. */
export function checkpointRowText(c: Cp): string {
  return `${c.size}\n${toBase64(c.root)}\n${c.row.created_at}\n${c.row.key_id}\n${c.row.note}`;
}

export function forgedFinding(cps: Cp[], verifiers: Verifier[], origin: string): Finding | null {
  for (const c of cps) {
    const bad = checkCheckpointNote(c.row, { origin, verifiers });
    if (bad) return { kind: "forged-checkpoint", firstBadSeq: null, reason: `forged checkpoint: ${bad}` };
  }
  return null;
}

/** What the remembered state proves about the current snapshot before any entry is read. */
export function stateFinding(s: VerifierState, snap: Snapshot): Finding | null {
  const maxCp = snap.cps.at(-1)?.size ?? 0;
  if (s.checkpoint && maxCp < s.checkpoint.treeSize) {
    const firstBad = snap.head < s.treeSize ? snap.head + 1 : maxCp + 1;
    return {
      kind: "rollback",
      firstBadSeq: firstBad,
      reason:
        `rollback: the verifier saw checkpoint ${s.checkpoint.treeSize} (and ${s.treeSize} entries) at ${s.verifiedAt}, ` +
        `but the latest checkpoint is now ${maxCp} and the log has ${snap.head} entries: checkpoints were deleted together with the tail`,
    };
  }
  if (s.checkpoint) {
    const same = snap.cps.find((c) => c.size === s.checkpoint!.treeSize);
    if (!same) {
      return {
        kind: "rollback",
        firstBadSeq: null,
        reason: `checkpoint ${s.checkpoint.treeSize}, seen by the verifier at ${s.verifiedAt}, was deleted`,
      };
    }
    if (!bytesEqual(same.root, fromBase64(s.checkpoint.root))) {
      return {
        kind: "fork",
        firstBadSeq: null,
        reason: `fork: checkpoint ${same.size} now has root ${toBase64(same.root)}, but the verifier saw root ${s.checkpoint.root} for that size at ${s.verifiedAt}`,
      };
    }
  }
  return null;
}

/**
 * RFC 9162 consistency between successive checkpoints, with proofs built from
 * the stored tree (leaf and subtree hashes, not entry contents). Returns the
 * sizes of checkpoints that contradict another checkpoint the stored tree
 * agrees with — two signed, mutually inconsistent views: a fork.
 */
export async function checkpointForks(db: SqlDriver, cps: Cp[], from = 0): Promise<Map<number, string>> {
  const forks = new Map<number, string>();
  const hasher = storedRangeHasher(db);
  const agree = new Map<number, boolean | null>();
  const agrees = async (c: Cp): Promise<boolean | null> => {
    if (!agree.has(c.size)) {
      try {
        agree.set(c.size, bytesEqual(await hasher(0, c.size), c.root));
      } catch (e) {
        if (!(e instanceof TreeReadError)) throw e;
        agree.set(c.size, null);
      }
    }
    return agree.get(c.size)!;
  };
  for (let i = Math.max(1, from); i < cps.length; i++) {
    const a = cps[i - 1]!;
    const b = cps[i]!;
    let ok: boolean;
    try {
      ok = verifyConsistency(
        a.size,
        b.size,
        a.root,
        b.root,
        await consistencyProofFrom(a.size, b.size, hasher),
        nodeHasher,
      );
    } catch (e) {
      if (e instanceof TreeReadError) continue; // rows missing: the entry scan reports the gap
      throw e;
    }
    if (ok) continue;
    // Which of the two is the odd one out? The one the stored tree disagrees
    // with, provided a checkpoint on the other side agrees with the tree.
    const [agA, agB] = [await agrees(a), await agrees(b)];
    if (agA && agB === false && !forks.has(b.size)) {
      let laterAgrees = i === cps.length - 1;
      for (let j = i + 1; j < cps.length && !laterAgrees; j++) if (await agrees(cps[j]!)) laterAgrees = true;
      if (laterAgrees) {
        forks.set(
          b.size,
          `fork: checkpoint ${b.size} (key ${b.row.key_id}) is not consistent with checkpoint ${a.size} — the RFC 9162 consistency proof ` +
            `fails — while the log matches checkpoint ${a.size}${i === cps.length - 1 ? "" : " and the later ones"}: two validly signed checkpoints describe different trees` +
            (i === cps.length - 1
              ? ` (or entries ${a.size + 1}..${b.size} were rewritten together with their hashes)`
              : ""),
        );
      }
    } else if (agA === false && agB && !forks.has(a.size)) {
      forks.set(
        a.size,
        `fork: checkpoint ${a.size} (key ${a.row.key_id}) is not consistent with checkpoint ${b.size}, which the log matches: two validly signed checkpoints describe different trees`,
      );
    }
  }
  return forks;
}
