import "server-only";
import { bytesEqual } from "@/lib/core/index.ts";
import { leafHashOf, rowToEntry, type Entry, type EntryRow } from "../ledger/entry.ts";
import type { Finding } from "./types.ts";

// Naming what the entry scan's first failure is (scan.ts finds it): modified, inserted,
// reordered, deleted and renumbered, gap, subtree or checkpoint. Split from scan.ts, which
// keeps the two ways of walking the entries (in process and pooled).

export type LeafMismatch = { seq: number; row: EntryRow };

export type ScanFailure =
  | { type: "leaf"; seq: number }
  | { type: "gap"; seq: number; next: number }
  | { type: "node"; first: number; last: number; level: number; missing: boolean }
  | { type: "checkpoint"; size: number; lastGood: number };

/** Which of `candidates` the row hashes as (its seq in the log as signed), or null. */
function originalSeq(row: EntryRow, candidates: Iterable<number>): number | null {
  let entry: Entry;
  try {
    entry = rowToEntry(row);
  } catch {
    return null;
  }
  const stored = new Uint8Array(row.leaf_hash);
  for (const c of candidates) if (c !== Number(row.seq) && hashesAs(entry, c, stored)) return c;
  return null;
}

/**
 * Follows "the row at s is the log's entry t" from `seq` through the mismatched
 * rows; the seqs visited when the chain comes back to `seq` (a permutation), else null.
 */
function reorderCycle(seq: number, at: Map<number, EntryRow>): number[] | null {
  const cycle = [seq];
  let s = seq;
  while (cycle.length <= at.size) {
    const row = at.get(s);
    if (!row) return null;
    const t = originalSeq(row, [s + 1, s - 1, ...at.keys()]);
    if (t === null) return null;
    if (t === seq) return cycle.length >= 2 ? cycle : null;
    if (cycle.includes(t)) return null;
    cycle.push(t);
    s = t;
  }
  return null;
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
  // A permutation first: a swap of two neighbours also looks like a one-step shift
  // (the row at seq hashes as seq+1, the next row as seq), but a shift never closes
  // into a cycle and a reorder always does.
  const cycle = reorderCycle(seq, at);
  if (cycle) {
    return {
      kind: "reordered",
      firstBadSeq: seq,
      reason: `entries were reordered: the row at seq ${seq} is the log's entry ${cycle[1]}${cycle.length === 2 ? ` and the row at seq ${cycle[1]} is the log's entry ${seq}` : ` (the rows at seqs ${cycle.join(", ")} were permuted)`}`,
    };
  }
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

export function scanFinding(f: ScanFailure, mismatches: LeafMismatch[], forks: Map<number, string>): Finding {
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
