import crypto from "node:crypto";
import type { CoveredRange } from "./state.ts";

// The rolling re-hash: an incremental run proves the remembered tree by its
// stored subtree hashes, which an insider who rewrites an old entry together
// with its leaf and subtree hashes would also rewrite — so old entries are also
// recomputed from their columns, a few 256-entry chunks per run, the cursor
// sweeping the whole log. The budget of a run is the share of the log that the
// time since the last run represents in the coverage period: every entry is
// re-hashed at least once per period (plus one run interval), whatever the
// log's size and however irregular the runs. The bookkeeping says, per range,
// when it was last re-hashed, in at most MAX_RANGES ranges.

const MAX_RANGES = 24;

/** Chunks to re-hash now: the log's share of the elapsed time in the period, at least one, at most all. */
export function sampleBudget(totalChunks: number, elapsedMs: number, periodMs: number): number {
  if (totalChunks <= 0) return 0;
  const share = Math.max(0, elapsedMs) / Math.max(1, periodMs);
  return Math.min(totalChunks, Math.max(1, Math.ceil(totalChunks * share)));
}

/**
 * The next chunks of the rolling sample: `budget` consecutive ones from the
 * cursor (wrapping), plus `random` others an insider cannot predict.
 */
export function pickSample(
  totalChunks: number,
  cursor: number,
  budget: number,
  random = 2,
): { chunks: number[]; sequential: number[]; cursor: number } {
  if (totalChunks <= 0) return { chunks: [], sequential: [], cursor: 0 };
  const set = new Set<number>();
  let c = cursor % totalChunks;
  for (let i = 0; i < Math.min(budget, totalChunks); i++) {
    set.add(c);
    c = (c + 1) % totalChunks;
  }
  const sequential = [...set];
  for (let i = 0; i < random && set.size < totalChunks; i++) {
    let r = crypto.randomInt(totalChunks);
    while (set.has(r)) r = (r + 1) % totalChunks;
    set.add(r);
  }
  return { chunks: [...set].sort((a, b) => a - b), sequential, cursor: c };
}

/** Chunk numbers as seq ranges (chunk k is seqs k*size+1..(k+1)*size), consecutive chunks joined. */
export function chunkRanges(chunks: number[], size: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (const k of [...chunks].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last.to === k * size) last.to = (k + 1) * size;
    else out.push({ from: k * size + 1, to: (k + 1) * size });
  }
  return out;
}

/**
 * Records that seqs from..to were re-hashed at `at`: cuts what it overlaps,
 * joins neighbours with the same time, and beyond MAX_RANGES merges the two
 * neighbours closest in time, keeping the older time (so a range's time is
 * never later than the real last re-hash of any entry in it).
 */
export function markCovered(ranges: CoveredRange[], from: number, to: number, at: string): CoveredRange[] {
  if (to < from) return ranges;
  const out: CoveredRange[] = [];
  for (const r of ranges) {
    if (r.to < from || r.from > to) out.push(r);
    else {
      if (r.from < from) out.push({ ...r, to: from - 1 });
      if (r.to > to) out.push({ ...r, from: to + 1 });
    }
  }
  out.push({ from, to, at });
  out.sort((a, b) => a.from - b.from);
  const joined: CoveredRange[] = [];
  for (const r of out) {
    const last = joined.at(-1);
    if (last && last.to + 1 === r.from && last.at === r.at) last.to = r.to;
    else joined.push({ ...r });
  }
  while (joined.length > MAX_RANGES) mergeClosest(joined);
  return joined;
}

const ms = (at: string | null) => (at === null ? -Infinity : Date.parse(at));
const older = (a: string | null, b: string | null) => (ms(a) <= ms(b) ? a : b);

function mergeClosest(rs: CoveredRange[]): void {
  let best = 0;
  let bestGap = Infinity;
  for (let i = 0; i + 1 < rs.length; i++) {
    const [a, b] = [rs[i]!.at, rs[i + 1]!.at];
    const g = a === b ? 0 : a === null || b === null ? Infinity : Math.abs(ms(a) - ms(b));
    if (g < bestGap || (bestGap === Infinity && i === 0)) {
      bestGap = g;
      best = i;
    }
  }
  const [a, b] = [rs[best]!, rs[best + 1]!];
  rs.splice(best, 2, { from: a.from, to: b.to, at: older(a.at, b.at) });
}

/** The ranges of 1..size, with the parts never recorded (older states, entries before tracking began) as at: null. */
export function coverageOf(ranges: CoveredRange[], size: number): CoveredRange[] {
  const out: CoveredRange[] = [];
  let next = 1;
  for (const r of ranges) {
    if (r.from > size) break;
    if (r.from > next) out.push({ from: next, to: r.from - 1, at: null });
    out.push({ ...r, to: Math.min(r.to, size) });
    next = r.to + 1;
  }
  if (next <= size) out.push({ from: next, to: size, at: null });
  return out;
}
