import {
  CompactRange,
  bytesEqual,
  consistencyProofFrom,
  fromBase64,
  parseCheckpoint,
  sha256,
  toBase64,
  toHex,
  verifyConsistency,
  type RangeHasher,
} from "@/lib/core/index.ts";
import {
  TILE_WIDTH,
  TileMissingError,
  tileRangeHasher,
  tilesCovering,
  type Policy,
  type Tile,
} from "@/lib/core/tlog/index.ts";
import { checkDigest, checkEntries, checkQuorum, checkedHashes, inOrder } from "./checks.ts";
import { chainOf, followRotation, openHead, type KeyChain, type RotationSeen } from "./keys.ts";
import { Withheld, type TileClient } from "./fetcher.ts";
import { Found, found, type Problem } from "./problems.ts";
import { STATE_VERSION, type MonitorState } from "./state.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

export { EXIT, type Problem } from "./problems.ts";

// One monitoring pass over a tlog-tiles log, trusting nothing the log says unless it checks
// out against the log's key, the witnesses' cosignatures and what this monitor saw before:
//   1. the checkpoint carries a valid signature by the trusted log key — or by a key that a
//      rotation statement, signed by the trusted key and found in the verified entries, names
//      (lib/monitor/keys.ts) — and a quorum of valid witness cosignatures;
//   2. it does not go back in time (rollback) and is consistent with the last checkpoint
//      seen — a consistency proof read from the tiles, verified against the remembered root;
//   3. every new leaf from the level-0 tiles, appended to the remembered right edge of the
//      tree, reproduces the signed root; tiles seen before still have the digests they had;
//   4. with a read token, every entry's canonical bytes hash to its leaf.
// The first failure ends the pass and is named; the state only advances after a clean pass.

export type MonitorConfig = {
  url: string;
  logKey: { vkey: string; name: string; publicKey: Uint8Array };
  policy: Policy;
  /** A read token: entry bundles are downloaded and every leaf recomputed. */
  withEntries: boolean;
  /** Old full tiles re-fetched per pass to catch rewritten history (rolling). */
  recheck: number;
  /** Re-verify every tile from 0 instead of continuing from the remembered right edge. */
  full: boolean;
  concurrency: number;
  progress: (p: Progress) => void;
  now?: () => number;
};

export type Progress = { leavesDone: number; leavesTotal: number; tiles: number; bundles: number; final: boolean };

export type PassResult =
  | {
      ok: true;
      state: MonitorState;
      newDigests: Uint8Array[];
      grewBy: number;
      rechecked: number;
      /** Keys this pass started trusting through rotation statements. */
      rotatedTo: KeyChain;
    }
  | { ok: false; problem: Problem };

type Saved = { state: MonitorState; digests: Uint8Array[] } | null;

/** Runs one pass. Throws only for transport problems (Unreachable, AccessRefused) and bugs. */
export async function monitorPass(cfg: MonitorConfig, saved: Saved, client: TileClient): Promise<PassResult> {
  const note = await client.checkpoint();
  try {
    return await pass(cfg, saved, client, note);
  } catch (e) {
    const problem =
      e instanceof Found
        ? e.problem
        : e instanceof Withheld || e instanceof TileMissingError
          ? {
              kind: "truncation" as const,
              reason: `the log withholds data its signed tree needs: ${e.message}`,
              firstBadSeq: firstSeqOf(e),
            }
          : null;
    if (!problem) throw e;
    const evidence =
      problem.evidence ??
      `# ${problem.kind}: ${problem.reason}\n# checkpoint served by ${cfg.url}/checkpoint:\n${note}` +
        (saved
          ? `\n# last checkpoint this monitor verified (${saved.state.verifiedAt}):\n${saved.state.checkpoint}`
          : "");
    return { ok: false, problem: { ...problem, evidence } };
  }
}

function firstSeqOf(e: Withheld | TileMissingError): number | null {
  return e.tile.level === 0 || e.tile.level === "entries" ? e.tile.index * TILE_WIDTH + 1 : null;
}

async function pass(cfg: MonitorConfig, saved: Saved, client: TileClient, note: string): Promise<PassResult> {
  const now = cfg.now ?? Date.now;
  const seen = saved?.state ?? null;
  const chain = chainOf(cfg.logKey, seen);
  const head = openHead(note, chain);
  const cp = checkHead(head.text, seen);
  const rotations: RotationSeen[] = [...(seen?.rotations ?? [])];
  let tree: Awaited<ReturnType<typeof checkTree>> | null = null;
  let treeProblem: Found | null = null;
  try {
    tree = await checkTree(cfg, client, saved, cp, note, rotations, now);
  } catch (e) {
    // A checkpoint by an unknown key: what the tree checks found is part of the key alert.
    if (head.signedByCurrent || !(e instanceof Found)) throw e;
    treeProblem = e;
  }
  // The tile a pass starts in is read again: its statements may already be remembered.
  const seenRotations = [...new Map(rotations.map((r) => [r.seq, r])).values()];
  const keyChain = head.signedByCurrent
    ? chain
    : followRotation(note, chain, seenRotations, cp.origin, {
        signers: head.signers,
        withEntries: cfg.withEntries,
        treeProblem: treeProblem?.problem.reason ?? null,
      });
  if (treeProblem || !tree) throw treeProblem ?? new Error("internal: no tree result");
  // After the tree: a rollback or fork signed by the log key says more than a missing quorum.
  checkQuorum(cfg.policy, note, Math.floor(now() / 1000));
  const { leaves, recheck } = tree;
  const state: MonitorState = {
    version: STATE_VERSION,
    url: cfg.url,
    origin: cp.origin,
    logKey: cfg.logKey.vkey,
    size: cp.size,
    root: toBase64(cp.rootHash),
    frontier: leaves.range.subtrees().map(toBase64),
    checkpoint: note,
    entriesVerified: cfg.withEntries ? cp.size : Math.min(seen?.entriesVerified ?? 0, cp.size),
    fullTiles: Math.floor(cp.size / TILE_WIDTH),
    partial: leaves.partial,
    recheckCursor: recheck?.cursor ?? seen?.recheckCursor ?? 0,
    verifiedAt: new Date(now()).toISOString(),
    keyChain,
    rotations: seenRotations,
  };
  const known = saved?.digests.length ?? 0;
  if (known + leaves.newDigests.length !== state.fullTiles) throw new Error("internal: tile digests out of step");
  return {
    ok: true,
    state,
    newDigests: leaves.newDigests,
    grewBy: cp.size - (seen?.size ?? 0),
    rechecked: recheck?.count ?? 0,
    rotatedTo: keyChain.length > chain.length ? keyChain.slice(chain.length) : [],
  };
}

/** 2 to 4: consistency with what was seen, the leaves against the root, a window of old tiles. */
async function checkTree(
  cfg: MonitorConfig,
  client: TileClient,
  saved: Saved,
  cp: Checkpoint,
  note: string,
  rotations: RotationSeen[],
  now: () => number,
) {
  const seen = saved?.state ?? null;
  const hasher = tileRangeHasher(cp.size, (t) => client.tile(t), nodeHasher);
  if (seen) await checkAgainstSeen(seen, cp, note, hasher);
  const base = seen && !cfg.full ? seen : null;
  const leaves = await verifyLeaves(cfg, client, saved, base, cp, now, rotations);
  const recheck = base ? await recheckOld(cfg, client, saved!, Math.floor(base.size / TILE_WIDTH)) : null;
  return { leaves, recheck };
}

type Checkpoint = ReturnType<typeof parseCheckpoint>;

/**
 * 1. The checkpoint (whose log signature openHead checked, or will accept only through a
 * rotation statement) and its origin; the witnesses' quorum is checked after the tree.
 */
function checkHead(text: string, seen: MonitorState | null): Checkpoint {
  let cp: Checkpoint;
  try {
    cp = parseCheckpoint(text);
  } catch (e) {
    return found("bad-signature", `the log key signed something that is not a checkpoint: ${(e as Error).message}`);
  }
  if (seen && seen.origin !== cp.origin) {
    found(
      "fork",
      `the checkpoint's origin is ${JSON.stringify(cp.origin)}, this monitor follows ${JSON.stringify(seen.origin)}`,
    );
  }
  return cp;
}

/** 2. Against the last checkpoint verified: no rollback, no second root for a size, a proof of consistency. */
async function checkAgainstSeen(seen: MonitorState, cp: Checkpoint, note: string, hasher: RangeHasher): Promise<void> {
  const both = `# previously verified checkpoint (${seen.verifiedAt}):\n${seen.checkpoint}\n# checkpoint now served:\n${note}`;
  if (cp.size < seen.size) {
    found(
      "rollback",
      `the log now serves a checkpoint of size ${cp.size}, but this monitor verified size ${seen.size} at ${seen.verifiedAt}: the log went back in time`,
      cp.size + 1,
      both,
    );
  }
  const seenRoot = fromBase64(seen.root);
  if (cp.size === seen.size && !bytesEqual(seenRoot, cp.rootHash)) {
    found(
      "fork",
      `two signed checkpoints of size ${cp.size} with different roots (${seen.root} seen at ${seen.verifiedAt}, now ${toBase64(cp.rootHash)})`,
      null,
      both,
    );
  }
  if (cp.size > seen.size) {
    const proof = await consistencyProofFrom(seen.size, cp.size, hasher);
    if (!verifyConsistency(seen.size, cp.size, seenRoot, cp.rootHash, proof, nodeHasher)) {
      found(
        "fork",
        `the checkpoint of size ${cp.size} is not consistent with the one of size ${seen.size} verified at ${seen.verifiedAt}: the log rewrote history it had signed`,
        null,
        both,
      );
    }
  }
}

/**
 * 3 and 4. The leaves from the level-0 tiles (and entries from the bundles), folded into the
 * remembered right edge — or from nothing — and compared with the signed root.
 */
async function verifyLeaves(
  cfg: MonitorConfig,
  client: TileClient,
  saved: Saved,
  base: MonitorState | null,
  cp: Checkpoint,
  now: () => number,
  rotations: RotationSeen[],
): Promise<{ range: CompactRange; newDigests: Uint8Array[]; partial: MonitorState["partial"] }> {
  const range = base
    ? CompactRange.fromSubtrees(base.size, base.frontier.map(fromBase64), nodeHasher)
    : CompactRange.empty(nodeHasher);
  const from = base?.size ?? 0;
  const firstTile = Math.floor(from / TILE_WIDTH);
  // Entries: from the last verified one, and always the whole tile the pass starts in.
  const entriesFrom = cfg.withEntries ? Math.min(base ? base.entriesVerified : 0, firstTile * TILE_WIDTH) : Infinity;
  // The tile holding `from` is always fetched again: its first leaves were seen as a partial tile.
  const tiles = tilesCovering(0, Math.min(firstTile * TILE_WIDTH, entriesFrom), cp.size, cp.size);
  const known = saved?.digests ?? [];
  const seenPartial = saved?.state.partial ?? null;
  const newDigests: Uint8Array[] = [];
  let partial: MonitorState["partial"] = null;
  let lastReport = 0;
  const report = (leaves: number, final = false) => {
    if (!final && now() - lastReport < 2000) return;
    lastReport = now();
    cfg.progress({
      leavesDone: leaves,
      leavesTotal: cp.size,
      tiles: client.stats.tiles,
      bundles: client.stats.bundles,
      final,
    });
  };
  const fetchPair = (t: Tile) =>
    Promise.all([
      client.tile(t),
      cfg.withEntries && t.index * TILE_WIDTH + t.width > entriesFrom ? client.tile({ ...t, level: "entries" }) : null,
    ]);
  for await (const [t, [data, bundle]] of inOrder(tiles, fetchPair, cfg.concurrency)) {
    const hashes = checkedHashes(t, data);
    const start = t.index * TILE_WIDTH;
    // History seen before must not have changed.
    if (t.index < known.length && t.width === TILE_WIDTH) checkDigest(t, data, known[t.index]!);
    if (
      seenPartial?.index === t.index &&
      toHex(sha256(data.subarray(0, seenPartial.width * 32))) !== seenPartial.digest
    ) {
      found(
        "history-changed",
        `the first ${seenPartial.width} leaves of level-0 tile ${t.index} differ from those this monitor verified before`,
        start + 1,
      );
    }
    for (const [i, h] of hashes.entries()) if (start + i >= from) range.append(h);
    if (bundle) checkEntries(t, bundle, hashes, entriesFrom, rotations);
    if (t.width === TILE_WIDTH && t.index >= known.length) newDigests.push(sha256(data));
    if (t.width < TILE_WIDTH) partial = { index: t.index, width: t.width, digest: toHex(sha256(data)) };
    report(Math.min(cp.size, start + t.width));
  }
  if (!bytesEqual(range.root(), cp.rootHash)) {
    found(
      "root-mismatch",
      base
        ? `the leaves served after size ${base.size}, appended to the tree this monitor verified, give root ${toBase64(range.root())}, not the signed ${toBase64(cp.rootHash)}`
        : `the ${cp.size} leaves of the level-0 tiles give root ${toBase64(range.root())}, not the signed ${toBase64(cp.rootHash)}: the tiles do not match the signed tree`,
    );
  }
  report(cp.size, true);
  return { range, newDigests, partial };
}

/** Re-fetches a rolling window of older full tiles: catches history rewritten after it was seen. */
async function recheckOld(
  cfg: MonitorConfig,
  client: TileClient,
  saved: NonNullable<Saved>,
  firstTile: number,
): Promise<{ cursor: number; count: number }> {
  const olderFull = Math.min(saved.digests.length, firstTile);
  const cursor = saved.state.recheckCursor;
  if (olderFull === 0 || cfg.recheck === 0) return { cursor, count: 0 };
  const picks: Tile[] = [];
  for (let i = 0; i < Math.min(cfg.recheck, olderFull); i++) {
    picks.push({ level: 0, index: (cursor + i) % olderFull, width: TILE_WIDTH });
  }
  const fetchPair = (t: Tile) =>
    Promise.all([client.tile(t), cfg.withEntries ? client.tile({ ...t, level: "entries" as const }) : null]);
  for await (const [t, [data, bundle]] of inOrder(picks, fetchPair, cfg.concurrency)) {
    const hashes = checkedHashes(t, data);
    checkDigest(t, data, saved.digests[t.index]!);
    if (bundle) checkEntries(t, bundle, hashes, 0);
  }
  return { cursor: (cursor + picks.length) % olderFull, count: picks.length };
}
