import "server-only";
import crypto from "node:crypto";
import {
  CompactRange,
  bytesEqual,
  consistencyProofFrom,
  fromBase64,
  merkleRoot,
  perfectSubtrees,
  toBase64,
  verifyConsistency,
} from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { checkGuards } from "../db/guards.ts";
import { leafHashOf, rowLeafHash, rowToEntry, type Entry, type EntryRow } from "../ledger/entry.ts";
import { isStoredLevel, storedRangeHasher, TreeReadError } from "../ledger/tree.ts";
import { checkCheckpointNote, loadVerifiers, type CheckpointRow, type Verifier } from "../ledger/verify.ts";
import type { VerifierState } from "./state.ts";
import type { Finding } from "./types.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// The verification passes. Pure functions of (database, remembered state):
// they read, never write, and return findings instead of throwing.
//
//   full pass:   every checkpoint note → the remembered state (rollback, fork)
//                → RFC 9162 consistency between successive checkpoints → every
//                entry in seq order (leaf, subtree hashes, checkpoint roots)
//                → tail vs latest checkpoint and remembered size → guards.
//   incremental: cheap proofs that nothing verified before changed (row count,
//                checkpoint digest, remembered compact range against the stored
//                tree), then only the new entries and checkpoints, plus a rolling
//                sample of old 256-entry chunks recomputed from their columns.
//                Anything suspicious escalates to a full pass, which names the
//                kind and the first bad seq.

export const CHUNK = 256;
const MISMATCH_CAP = 1000;

export type Cp = { size: number; root: Uint8Array; row: CheckpointRow };
export type Snapshot = { cps: Cp[]; head: number; count: number };
export type Progress = (done: number, total: number) => void;

export type PassResult = {
  finding: Finding | null;
  entriesChecked: number;
  checkpointsChecked: number;
  /** When clean: the verified tree (for the new remembered state). */
  range: CompactRange | null;
};

/** Checkpoints first, then the entry count: every checkpoint read is covered by entries committed before it. */
export async function takeSnapshot(db: SqlDriver): Promise<Snapshot> {
  const rows = await db.all<CheckpointRow>(
    "SELECT tree_size, root_hash, note, key_id, created_at FROM checkpoints ORDER BY tree_size",
  );
  const cps = rows.map((r) => ({
    size: Number(r.tree_size),
    root: new Uint8Array(r.root_hash),
    row: { ...r, tree_size: Number(r.tree_size) },
  }));
  // One statement: a consistent pair even while the sequencer appends.
  const h = await db.get<{ head: number | null; n: number }>("SELECT MAX(seq) AS head, COUNT(*) AS n FROM entries");
  return { cps, head: Number(h?.head ?? 0), count: Number(h?.n ?? 0) };
}

/** SHA-256 over the checkpoint rows up to `size`: any change to an old checkpoint changes it. */
export function checkpointsDigest(cps: Cp[], size: number): { digest: string; count: number } {
  const h = crypto.createHash("sha256");
  let count = 0;
  for (const c of cps) {
    if (c.size > size) break;
    count++;
    h.update(`${c.size}\n${toBase64(c.root)}\n${c.row.created_at}\n${c.row.key_id}\n`)
      .update(c.row.note)
      .update("\0");
  }
  return { digest: h.digest("hex"), count };
}

export async function trustedKeys(db: SqlDriver, current: Verifier | null): Promise<Verifier[]> {
  return loadVerifiers(db, current ? [current] : []);
}

function forgedFinding(cps: Cp[], verifiers: Verifier[], origin: string): Finding | null {
  for (const c of cps) {
    const bad = checkCheckpointNote(c.row, { origin, verifiers });
    if (bad) return { kind: "forged-checkpoint", firstBadSeq: null, reason: `forged checkpoint: ${bad}` };
  }
  return null;
}

/** What the remembered state proves about the current snapshot before any entry is read. */
function stateFinding(s: VerifierState, snap: Snapshot): Finding | null {
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

type LeafMismatch = { seq: number; row: EntryRow };

type ScanFailure =
  | { type: "leaf"; seq: number }
  | { type: "gap"; seq: number; next: number }
  | { type: "node"; first: number; last: number; level: number; missing: boolean }
  | { type: "checkpoint"; size: number; lastGood: number };

type ScanResult = {
  failure: ScanFailure | null;
  mismatches: LeafMismatch[];
  range: CompactRange;
  checked: number;
  snapshots: Map<number, Uint8Array>;
};

/**
 * Streams entries from+1..to in seq order onto `range` (the verified tree of
 * size `from`): recomputes each leaf from its columns, compares stored subtree
 * hashes and checkpoint roots. After the first failure it only keeps collecting
 * leaf mismatches (for telling a reorder or an insertion from a modification).
 */
async function scan(
  db: SqlDriver,
  opts: {
    from: number;
    to: number;
    range: CompactRange;
    cps: Cp[];
    nodes: Map<string, Uint8Array>;
    rootAt?: number[];
    onProgress?: Progress;
    batch?: number;
  },
): Promise<ScanResult> {
  const range = opts.range;
  const batch = opts.batch ?? 5000;
  const cps = opts.cps.filter((c) => c.size > opts.from && c.size <= opts.to);
  const want = new Set(opts.rootAt ?? []);
  const snapshots = new Map<number, Uint8Array>();
  const mismatches: LeafMismatch[] = [];
  let failure: ScanFailure | null = null;
  let nextCp = 0;
  let lastGood = opts.from;
  let expected = opts.from + 1;
  let checked = 0;
  outer: while (expected <= opts.to) {
    const rows = await db.all<EntryRow>("SELECT * FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?", [
      expected,
      opts.to,
      batch,
    ]);
    if (!rows.length) {
      failure ??= { type: "gap", seq: expected, next: 0 };
      break;
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        failure ??= { type: "gap", seq: expected, next: seq };
        break outer;
      }
      checked++;
      const stored = new Uint8Array(r.leaf_hash);
      let leaf: Uint8Array | null;
      try {
        leaf = rowLeafHash(r);
      } catch {
        leaf = null;
      }
      if (!leaf || !bytesEqual(leaf, stored)) {
        if (mismatches.length < MISMATCH_CAP) mismatches.push({ seq, row: r });
        failure ??= { type: "leaf", seq };
      }
      if (!failure) {
        for (const n of range.append(stored)) {
          if (!isStoredLevel(n.level)) continue;
          const s = opts.nodes.get(`${n.level}/${n.index}`);
          if (!s || !bytesEqual(s, n.hash)) {
            failure = { type: "node", first: n.index * 2 ** n.level + 1, last: seq, level: n.level, missing: !s };
            break;
          }
        }
        if (want.has(range.size)) snapshots.set(range.size, range.root());
        while (!failure && nextCp < cps.length && cps[nextCp]!.size === range.size) {
          const c = cps[nextCp]!;
          if (!bytesEqual(range.root(), c.root)) failure = { type: "checkpoint", size: c.size, lastGood };
          else lastGood = c.size;
          nextCp++;
        }
      }
      expected++;
    }
    opts.onProgress?.(expected - 1 - opts.from, opts.to - opts.from);
    if (failure && mismatches.length >= MISMATCH_CAP) break;
  }
  return { failure, mismatches, range, checked, snapshots };
}

function hashesAs(e: Entry, seq: number, stored: Uint8Array): boolean {
  try {
    return bytesEqual(leafHashOf({ ...e, seq }), stored);
  } catch {
    return false;
  }
}

/**
 * Names what happened at the first leaf mismatch. An entry's seq is part of
 * what it hashes, so a row moved to another seq still hashes correctly under
 * its old one: that tells a reorder (two rows trade seqs), an insertion (rows
 * from k on shifted up by one) and a renumbered deletion from a modification.
 */
function classifyLeaf(seq: number, mismatches: LeafMismatch[]): Finding {
  const at = new Map(mismatches.map((m) => [m.seq, m.row]));
  const row = at.get(seq)!;
  let entry: Entry;
  try {
    entry = rowToEntry(row);
  } catch (e) {
    return {
      kind: "modified",
      firstBadSeq: seq,
      reason: `entry ${seq} was modified: its columns cannot be rebuilt into an entry (${(e as Error).message})`,
    };
  }
  const stored = new Uint8Array(row.leaf_hash);
  const next = at.get(seq + 1);
  if (hashesAs(entry, seq - 1, stored)) {
    return {
      kind: "inserted",
      firstBadSeq: seq - 1,
      reason: `an entry was inserted at seq ${seq - 1}: the entries from ${seq} on are the log's entries ${seq - 1}… shifted up by one`,
    };
  }
  if (next) {
    try {
      if (hashesAs(rowToEntry(next), seq, new Uint8Array(next.leaf_hash))) {
        return {
          kind: "inserted",
          firstBadSeq: seq,
          reason: `a forged entry was inserted at seq ${seq}: the entries from ${seq + 1} on are the log's entries ${seq}… shifted up by one`,
        };
      }
    } catch {
      // unreadable neighbour: fall through
    }
  }
  if (hashesAs(entry, seq + 1, stored)) {
    return {
      kind: "gap",
      firstBadSeq: seq,
      reason: `entry ${seq} was deleted and the entries after it renumbered down by one`,
    };
  }
  for (const m of mismatches) {
    if (m.seq !== seq && hashesAs(entry, m.seq, stored)) {
      return {
        kind: "reordered",
        firstBadSeq: seq,
        reason: `entries were reordered: the row at seq ${seq} is the log's entry ${m.seq}${at.has(m.seq) ? ` (and the row at seq ${m.seq} is another entry)` : ""}`,
      };
    }
  }
  return {
    kind: "modified",
    firstBadSeq: seq,
    reason: `entry ${seq} was modified: its content does not hash to its stored leaf hash`,
  };
}

function scanFinding(f: ScanFailure, mismatches: LeafMismatch[], forks: Map<number, string>): Finding {
  switch (f.type) {
    case "leaf":
      return classifyLeaf(f.seq, mismatches);
    case "gap":
      return {
        kind: "gap",
        firstBadSeq: f.seq,
        reason: f.next ? `entry ${f.seq} is missing (the next stored seq is ${f.next})` : `entry ${f.seq} is missing`,
      };
    case "node":
      return f.missing
        ? {
            kind: "other",
            firstBadSeq: f.first,
            reason: `the stored subtree hash of entries ${f.first}..${f.last} (level ${f.level}) is missing`,
          }
        : {
            kind: "modified",
            firstBadSeq: f.first,
            reason: `entries ${f.first}..${f.last} do not hash to their stored subtree hash (level ${f.level}): entries rewritten together with their leaf hashes, or the subtree hash was altered`,
          };
    case "checkpoint": {
      const fork = forks.get(f.size);
      if (fork) return { kind: "fork", firstBadSeq: null, reason: fork };
      return {
        kind: "modified",
        firstBadSeq: f.lastGood + 1,
        reason: `the first ${f.size} entries do not match signed checkpoint ${f.size}; the change lies in entries ${f.lastGood + 1}..${f.size} (rewritten together with their hashes)`,
      };
    }
  }
}

async function loadNodes(db: SqlDriver): Promise<Map<string, Uint8Array>> {
  const rows = await db.all<{ level: number; idx: number; hash: Uint8Array }>(
    "SELECT level, idx, hash FROM merkle_nodes",
  );
  return new Map(rows.map((n) => [`${Number(n.level)}/${Number(n.idx)}`, new Uint8Array(n.hash)]));
}

async function guardsFinding(db: SqlDriver): Promise<Finding | null> {
  const g = await checkGuards(db);
  return g.ok
    ? null
    : {
        kind: "guards",
        firstBadSeq: null,
        reason: `the entries verify, but the append-only guards are missing or altered: ${g.problems.join("; ")}`,
      };
}

/** Everything, from seq 1. */
export async function fullPass(
  db: SqlDriver,
  opts: {
    origin: string;
    verifiers: Verifier[];
    state: VerifierState | null;
    snap: Snapshot;
    onProgress?: Progress;
    batch?: number;
  },
): Promise<PassResult> {
  const { snap, state } = opts;
  const done = (finding: Finding | null, entriesChecked = 0, range: CompactRange | null = null): PassResult => ({
    finding,
    entriesChecked,
    checkpointsChecked: snap.cps.length,
    range: finding ? null : range,
  });
  const forged = forgedFinding(snap.cps, opts.verifiers, opts.origin);
  if (forged) return done(forged);
  if (state) {
    const f = stateFinding(state, snap);
    if (f) return done(f);
  }
  const forks = await checkpointForks(
    db,
    snap.cps.filter((c) => c.size <= snap.head),
  );
  const s = await scan(db, {
    from: 0,
    to: snap.head,
    range: CompactRange.empty(nodeHasher),
    cps: snap.cps,
    nodes: await loadNodes(db),
    rootAt: state && state.treeSize <= snap.head ? [state.treeSize] : [],
    onProgress: opts.onProgress,
    batch: opts.batch,
  });
  if (s.failure) return done(scanFinding(s.failure, s.mismatches, forks), s.checked);
  const beyond = snap.cps.find((c) => c.size > snap.head);
  if (beyond) {
    return done(
      {
        kind: "truncated",
        firstBadSeq: snap.head + 1,
        reason: `the log ends at entry ${snap.head} but checkpoint ${beyond.size} was signed: entries were deleted from the tail`,
      },
      s.checked,
    );
  }
  if (state && state.treeSize > snap.head) {
    return done(
      {
        kind: "truncated",
        firstBadSeq: snap.head + 1,
        reason: `the log ends at entry ${snap.head}, but the verifier had verified ${state.treeSize} entries at ${state.verifiedAt}: entries ${snap.head + 1}..${state.treeSize} were deleted from the tail`,
      },
      s.checked,
    );
  }
  if (state && state.treeSize > 0 && state.treeSize <= snap.head) {
    const root = state.treeSize === snap.head ? s.range.root() : s.snapshots.get(state.treeSize);
    if (root && toBase64(root) !== state.root) {
      return done(
        {
          kind: "rollback",
          firstBadSeq: null,
          reason: `the first ${state.treeSize} entries no longer hash to the root the verifier saw at ${state.verifiedAt}: the log was rolled back and rewritten`,
        },
        s.checked,
      );
    }
  }
  return done(await guardsFinding(db), s.checked, s.range);
}

export type IncrementalOutcome =
  { escalate: false; result: PassResult; sampled: number[] } | { escalate: true; why: string; entriesChecked: number };

/**
 * New entries and checkpoints since the remembered state, plus a sample of old
 * chunks. Returns escalate when anything does not check out: the caller then
 * runs a full pass to name the kind and the first bad seq.
 */
export async function incrementalPass(
  db: SqlDriver,
  opts: {
    origin: string;
    verifiers: Verifier[];
    state: VerifierState;
    snap: Snapshot;
    sample: number[];
    onProgress?: Progress;
    batch?: number;
  },
): Promise<IncrementalOutcome> {
  const { snap, state } = opts;
  let checked = 0;
  const up = (why: string): IncrementalOutcome => ({ escalate: true, why, entriesChecked: checked });
  if (snap.count !== snap.head) return up(`the log has ${snap.count} rows for seqs 1..${snap.head}`);
  if (snap.head < state.treeSize) return up(`the log shrank from ${state.treeSize} to ${snap.head} entries`);
  if (stateFinding(state, snap)) return up("the remembered checkpoint changed");
  const rememberedCp = state.checkpoint?.treeSize ?? 0;
  const digest = checkpointsDigest(snap.cps, rememberedCp);
  if (digest.digest !== state.checkpointsDigest || digest.count !== state.checkpointCount)
    return up("checkpoints the verifier had seen changed");
  const fresh = snap.cps.filter((c) => c.size > rememberedCp);
  if (forgedFinding(fresh, opts.verifiers, opts.origin)) return up("a new checkpoint does not verify");

  // The remembered tree still is the stored tree: its compact range against
  // stored subtree hashes (and, below one chunk, against recomputed leaves).
  const remembered = state.subtrees.map((h) => fromBase64(h));
  const hasher = storedRangeHasher(db);
  const parts = perfectSubtrees(state.treeSize);
  for (const [i, p] of parts.entries()) {
    let h: Uint8Array;
    try {
      if (p.end - p.start >= CHUNK) h = await hasher(p.start, p.end);
      else {
        const leaves = await recomputedLeaves(db, p.start, p.end);
        if (!leaves) return up(`entries ${p.start + 1}..${p.end} do not recompute`);
        checked += leaves.length;
        h = merkleRoot(leaves, nodeHasher);
      }
    } catch (e) {
      if (e instanceof TreeReadError) return up(e.message);
      throw e;
    }
    if (!bytesEqual(h, remembered[i]!))
      return up(`entries ${p.start + 1}..${p.end} no longer match the remembered tree`);
  }

  // New checkpoints: consistency from the remembered checkpoint on, by proof.
  const chain: Cp[] = [
    ...(state.checkpoint
      ? [
          {
            size: state.checkpoint.treeSize,
            root: fromBase64(state.checkpoint.root),
            row: snap.cps.find((c) => c.size === rememberedCp)!.row,
          },
        ]
      : []),
    ...fresh,
  ];
  if ((await checkpointForks(db, chain)).size) return up("new checkpoints are not consistent");

  // New entries, onto the remembered compact range.
  const s = await scan(db, {
    from: state.treeSize,
    to: snap.head,
    range: CompactRange.fromSubtrees(state.treeSize, remembered, nodeHasher),
    cps: fresh,
    nodes: await loadNodes(db),
    onProgress: opts.onProgress,
    batch: opts.batch,
  });
  checked += s.checked;
  if (s.failure) return up(`new entries: ${scanFinding(s.failure, s.mismatches, new Map()).reason}`);
  if (fresh.some((c) => c.size > snap.head)) return up("a checkpoint is larger than the log");

  // Rolling sample of old, complete 256-entry chunks.
  for (const chunk of opts.sample) {
    const start = chunk * CHUNK;
    const leaves = await recomputedLeaves(db, start, start + CHUNK);
    if (!leaves) return up(`sampled entries ${start + 1}..${start + CHUNK} do not recompute`);
    checked += CHUNK;
    const node = await db.get<{ hash: Uint8Array }>("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?", [
      8,
      chunk,
    ]);
    if (!node || !bytesEqual(new Uint8Array(node.hash), merkleRoot(leaves, nodeHasher)))
      return up(`sampled entries ${start + 1}..${start + CHUNK} do not match their stored subtree hash`);
  }

  const guards = await guardsFinding(db);
  return {
    escalate: false,
    sampled: opts.sample,
    result: {
      finding: guards,
      entriesChecked: checked,
      checkpointsChecked: fresh.length,
      range: guards ? null : s.range,
    },
  };
}

/** Leaf hashes of entries start+1..end recomputed from their columns, or null when a row is missing or does not match its stored leaf hash. */
async function recomputedLeaves(db: SqlDriver, start: number, end: number): Promise<Uint8Array[] | null> {
  const rows = await db.all<EntryRow>("SELECT * FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq", [start, end]);
  if (rows.length !== end - start) return null;
  const out: Uint8Array[] = [];
  for (const [i, r] of rows.entries()) {
    if (Number(r.seq) !== start + i + 1) return null;
    let leaf: Uint8Array;
    try {
      leaf = rowLeafHash(r);
    } catch {
      return null;
    }
    if (!bytesEqual(leaf, new Uint8Array(r.leaf_hash))) return null;
    out.push(leaf);
  }
  return out;
}

/** The next chunks of the rolling sample: `k` consecutive ones from the cursor, plus `k` random ones. */
export function pickSample(totalChunks: number, cursor: number, k = 2): { chunks: number[]; cursor: number } {
  if (totalChunks <= 0) return { chunks: [], cursor: 0 };
  const set = new Set<number>();
  let c = cursor % totalChunks;
  for (let i = 0; i < Math.min(k, totalChunks); i++) {
    set.add(c);
    c = (c + 1) % totalChunks;
  }
  for (let i = 0; i < k && set.size < totalChunks; i++) set.add(crypto.randomInt(totalChunks));
  return { chunks: [...set].sort((a, b) => a - b), cursor: c };
}
