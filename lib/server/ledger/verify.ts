import "server-only";
import { CompactRange, bytesEqual, openNote, parseCheckpoint, toBase64 } from "@/lib/core/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { rowLeafHash, type EntryRow } from "./entry.ts";
import { isStoredLevel } from "./tree.ts";
import { keysValidAt, validityProblem, type DatedKey } from "./signing.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

// verify-log: recompute every leaf hash from the stored columns, rebuild the
// tree in seq order, and compare with every stored subtree hash and every
// signed checkpoint. Verification returns its verdict; it does not throw.

export type VerifyResult = {
  ok: boolean;
  treeSize: number;
  checkpoints: number;
  latestCheckpoint: number;
  root: string;
  firstBadSeq: number | null;
  reason: string | null;
};

/** A trusted key; with createdAt/retiredAt it verifies only checkpoints created within that period. */
export type Verifier = DatedKey;

export type CheckpointRow = {
  tree_size: number;
  root_hash: Uint8Array;
  note: string;
  key_id: string;
  created_at: string;
};

/**
 * The keys a stored checkpoint may be signed by: every key published in
 * signing_keys (current and retired, with their validity periods), plus
 * `extra` (e.g. the running server's own key). Key selection lives here so
 * every verifier (CLI, integrity center) trusts the same set.
 */
export async function loadVerifiers(db: SqlDriver, extra: Verifier[] = []): Promise<Verifier[]> {
  const rows = await db.all<{
    name: string;
    public_key: Uint8Array;
    created_at: string | null;
    retired_at: string | null;
  }>("SELECT name, public_key, created_at, retired_at FROM signing_keys");
  const out: Verifier[] = rows.map((r) => ({
    name: r.name,
    publicKey: new Uint8Array(r.public_key),
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  }));
  for (const v of extra) {
    if (!out.some((o) => o.name === v.name && bytesEqual(o.publicKey, v.publicKey))) out.push(v);
  }
  return out;
}

/**
 * One stored checkpoint: a valid signed note by a key valid at its creation
 * time, for this origin, whose text matches its row's size and root. Returns
 * why it is not, or null. Shared by verifyLog and the integrity center.
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

export async function verifyLog(
  db: SqlDriver,
  opts: { origin: string; verifiers: Verifier[]; onProgress?: (done: number, total: number) => void; batch?: number },
): Promise<VerifyResult> {
  const checkpoints = (
    await db.all<CheckpointRow>(
      "SELECT tree_size, root_hash, note, key_id, created_at FROM checkpoints ORDER BY tree_size",
    )
  ).map((c) => ({ ...c, tree_size: Number(c.tree_size) }));
  const total = Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries"))?.n ?? 0);
  const latest = checkpoints.at(-1)?.tree_size ?? 0;
  const fail = (treeSize: number, root: Uint8Array, firstBadSeq: number | null, reason: string): VerifyResult => ({
    ok: false,
    treeSize,
    checkpoints: checkpoints.length,
    latestCheckpoint: latest,
    root: toBase64(root),
    firstBadSeq,
    reason,
  });

  // 1. Every checkpoint: a valid note by a known key, for this log, matching its row.
  for (const c of checkpoints) {
    const bad = checkCheckpointNote(c, opts);
    if (bad) return fail(0, new Uint8Array(32), null, bad);
  }

  // 2. Stored subtree hashes, to locate damage more precisely than a checkpoint can.
  const nodeRows = await db.all<{ level: number; idx: number; hash: Uint8Array }>(
    "SELECT level, idx, hash FROM merkle_nodes",
  );
  const nodes = new Map(nodeRows.map((n) => [`${n.level}/${Number(n.idx)}`, new Uint8Array(n.hash)]));

  // 3. Stream the entries in seq order.
  const range = CompactRange.empty(nodeHasher);
  const batch = opts.batch ?? 5000;
  let expected = 1;
  let nextCp = 0;
  let lastGoodCp = 0;
  for (;;) {
    const rows = await db.all<EntryRow>("SELECT * FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?", [expected, batch]);
    if (!rows.length) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected)
        return fail(range.size, range.root(), expected, `entry ${expected} is missing (the next stored seq is ${seq})`);
      let leaf: Uint8Array;
      try {
        leaf = rowLeafHash(r);
      } catch (e) {
        return fail(range.size, range.root(), seq, `entry ${seq} cannot be rebuilt: ${(e as Error).message}`);
      }
      if (!bytesEqual(leaf, r.leaf_hash)) {
        // a Buffer is a Uint8Array: no copy per row
        return fail(
          range.size,
          range.root(),
          seq,
          `entry ${seq} was modified: its content does not hash to its stored leaf hash`,
        );
      }
      for (const n of range.append(leaf)) {
        if (!isStoredLevel(n.level)) continue;
        const stored = nodes.get(`${n.level}/${n.index}`);
        const first = n.index * 2 ** n.level + 1;
        if (!stored)
          return fail(
            range.size,
            range.root(),
            first,
            `subtree hash level ${n.level} #${n.index} (entries ${first}..${seq}) is missing`,
          );
        if (!bytesEqual(stored, n.hash)) {
          return fail(
            range.size,
            range.root(),
            first,
            `entries ${first}..${seq} do not hash to their stored subtree hash (level ${n.level}): modified, reordered or inserted entries`,
          );
        }
      }
      while (nextCp < checkpoints.length && checkpoints[nextCp]!.tree_size === range.size) {
        const c = checkpoints[nextCp]!;
        if (!bytesEqual(range.root(), new Uint8Array(c.root_hash))) {
          return fail(
            range.size,
            range.root(),
            lastGoodCp + 1,
            `the first ${c.tree_size} entries do not match signed checkpoint ${c.tree_size}; the change lies in entries ${lastGoodCp + 1}..${c.tree_size}`,
          );
        }
        lastGoodCp = c.tree_size;
        nextCp++;
      }
      expected++;
    }
    opts.onProgress?.(expected - 1, total);
  }
  if (nextCp < checkpoints.length) {
    const c = checkpoints[nextCp]!;
    return fail(
      range.size,
      range.root(),
      range.size + 1,
      `the log ends at entry ${range.size} but checkpoint ${c.tree_size} was signed: entries were deleted from the tail`,
    );
  }
  return {
    ok: true,
    treeSize: range.size,
    checkpoints: checkpoints.length,
    latestCheckpoint: latest,
    root: toBase64(range.root()),
    firstBadSeq: null,
    reason: null,
  };
}
