import {
  CompactRange,
  bytesEqual,
  consistencyProofFrom,
  fromBase64,
  hashLeaf,
  openNote,
  parseCheckpoint,
  sha256,
  splitNote,
  toBase64,
  toHex,
  verifyConsistency,
} from "@/lib/core/index.ts";
import {
  TILE_WIDTH,
  TileMissingError,
  checkCosignatures,
  cosignerKeyId,
  decodeEntryBundle,
  quorumSatisfied,
  tileHashes,
  tileRangeHasher,
  tilesCovering,
  type Policy,
  type Tile,
} from "@/lib/core/tlog/index.ts";
import { Withheld, type TileClient } from "./fetcher.ts";
import { STATE_VERSION, type MonitorState } from "./state.ts";

// One monitoring pass over a tlog-tiles log, trusting nothing the log says unless it checks
// out against the log's key, the witnesses' cosignatures and what this monitor saw before:
//   1. the checkpoint carries a valid signature by the trusted log key, and a quorum of
//      valid witness cosignatures;
//   2. it does not go back in time (rollback) and is consistent with the last checkpoint
//      seen — a consistency proof read from the tiles, verified against the remembered root;
//   3. every new leaf from the level-0 tiles, appended to the remembered right edge of the
//      tree, reproduces the signed root; tiles seen before still have the digests they had;
//   4. with a read token, every entry's canonical bytes hash to its leaf.
// The first failure ends the pass and is named; the state only advances after a clean pass.

export type ProblemKind =
  | "bad-signature"
  | "lost-quorum"
  | "rollback"
  | "fork"
  | "root-mismatch"
  | "leaf-mismatch"
  | "truncation"
  | "history-changed";

/** Exit codes of `ledgerline monitor`, one per problem (documented in docs/witness-and-monitor.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unreachable: 3,
  "bad-signature": 10,
  "lost-quorum": 11,
  rollback: 12,
  fork: 13,
  "root-mismatch": 14,
  "leaf-mismatch": 15,
  truncation: 16,
  "history-changed": 17,
} as const;

export type Problem = { kind: ProblemKind; reason: string; firstBadSeq: number | null; evidence: string };

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
  | { ok: true; state: MonitorState; newDigests: Uint8Array[]; grewBy: number; rechecked: number }
  | { ok: false; problem: Problem };

type Saved = { state: MonitorState; digests: Uint8Array[] } | null;

class Found extends Error {
  constructor(readonly problem: Omit<Problem, "evidence"> & { evidence?: string }) {
    super(problem.reason);
  }
}

function found(kind: ProblemKind, reason: string, firstBadSeq: number | null = null, evidence?: string): never {
  throw new Found({ kind, reason, firstBadSeq, evidence });
}

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
  // 1. The log's signature, then the witnesses' quorum.
  const opened = openNote(note, [cfg.logKey]);
  if (!opened.ok) found("bad-signature", `${opened.reason}; ${signersOf(note)}`);
  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    cp = parseCheckpoint(opened.text);
  } catch (e) {
    return found("bad-signature", `the log key signed something that is not a checkpoint: ${(e as Error).message}`);
  }
  const seen = saved?.state ?? null;
  if (seen && seen.origin !== cp.origin)
    found(
      "fork",
      `the checkpoint's origin is ${JSON.stringify(cp.origin)}, this monitor follows ${JSON.stringify(seen.origin)}`,
    );
  checkQuorum(cfg, note, Math.floor(now() / 1000));

  // 2. Against what this monitor saw before: no rollback, no fork.
  const hasher = tileRangeHasher(cp.size, (t) => client.tile(t));
  if (seen) {
    const both = `# previously verified checkpoint (${seen.verifiedAt}):\n${seen.checkpoint}\n# checkpoint now served:\n${note}`;
    if (cp.size < seen.size)
      found(
        "rollback",
        `the log now serves a checkpoint of size ${cp.size}, but this monitor verified size ${seen.size} at ${seen.verifiedAt}: the log went back in time`,
        cp.size + 1,
        both,
      );
    const seenRoot = fromBase64(seen.root);
    if (cp.size === seen.size && !bytesEqual(seenRoot, cp.rootHash))
      found(
        "fork",
        `two signed checkpoints of size ${cp.size} with different roots (${seen.root} seen at ${seen.verifiedAt}, now ${toBase64(cp.rootHash)})`,
        null,
        both,
      );
    if (cp.size > seen.size) {
      const proof = await consistencyProofFrom(seen.size, cp.size, hasher);
      if (!verifyConsistency(seen.size, cp.size, seenRoot, cp.rootHash, proof))
        found(
          "fork",
          `the checkpoint of size ${cp.size} is not consistent with the one of size ${seen.size} verified at ${seen.verifiedAt}: the log rewrote history it had signed`,
          null,
          both,
        );
    }
  }

  // 3 and 4. The leaves (and entries) from the tiles, folded into the remembered right edge.
  const base = seen && !cfg.full ? seen : null;
  const range = base ? CompactRange.fromSubtrees(base.size, base.frontier.map(fromBase64)) : CompactRange.empty();
  const from = base?.size ?? 0;
  const firstTile = Math.floor(from / TILE_WIDTH);
  // Entries: from the last verified one, and always the whole tile the pass starts in.
  const entriesFrom = cfg.withEntries ? Math.min(base ? base.entriesVerified : 0, firstTile * TILE_WIDTH) : Infinity;
  // The tile holding `from` is always fetched again: its first leaves were seen as a partial tile.
  const startLeaf = Math.min(firstTile * TILE_WIDTH, entriesFrom);
  const tiles = tilesCovering(0, startLeaf, cp.size, cp.size);
  const knownFull = saved?.digests.length ?? 0;
  const newDigests: Uint8Array[] = [];
  let partial: MonitorState["partial"] = null;
  let tilesDone = 0;
  let lastReport = 0;
  const report = (leaves: number, final = false) => {
    const t = now();
    if (!final && t - lastReport < 2000) return;
    lastReport = t;
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
    if (t.index < knownFull && t.width === TILE_WIDTH && !bytesEqual(sha256(data), saved!.digests[t.index]!)) {
      found(
        "history-changed",
        `level-0 tile ${t.index} (entries ${start + 1}..${start + TILE_WIDTH}) differs from the one this monitor verified before: leaf hashes of published history were rewritten`,
        start + 1,
      );
    }
    const p = seen?.partial;
    if (p && p.index === t.index && toHex(sha256(data.subarray(0, p.width * 32))) !== p.digest) {
      found(
        "history-changed",
        `the first ${p.width} leaves of level-0 tile ${t.index} differ from those this monitor verified before`,
        start + 1,
      );
    }
    for (const [i, h] of hashes.entries()) if (start + i >= from) range.append(h);
    if (bundle) checkEntries(t, bundle, hashes, entriesFrom);
    if (t.width === TILE_WIDTH && t.index >= knownFull) newDigests.push(sha256(data));
    if (t.width < TILE_WIDTH) partial = { index: t.index, width: t.width, digest: toHex(sha256(data)) };
    tilesDone++;
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

  // Re-fetch a rolling window of older full tiles: catches history rewritten after it was seen.
  let cursor = seen?.recheckCursor ?? 0;
  let rechecked = 0;
  const olderFull = Math.min(knownFull, firstTile);
  if (base && olderFull > 0 && cfg.recheck > 0) {
    const picks: Tile[] = [];
    for (let i = 0; i < Math.min(cfg.recheck, olderFull); i++)
      picks.push({ level: 0, index: (cursor + i) % olderFull, width: TILE_WIDTH });
    for await (const [t, [data, bundle]] of inOrder(
      picks,
      (t) => Promise.all([client.tile(t), cfg.withEntries ? client.tile({ ...t, level: "entries" }) : null]),
      cfg.concurrency,
    )) {
      const hashes = checkedHashes(t, data);
      if (!bytesEqual(sha256(data), saved!.digests[t.index]!)) {
        found(
          "history-changed",
          `level-0 tile ${t.index} (entries ${t.index * TILE_WIDTH + 1}..${(t.index + 1) * TILE_WIDTH}) differs from the one this monitor verified before: leaf hashes of published history were rewritten`,
          t.index * TILE_WIDTH + 1,
        );
      }
      if (bundle) checkEntries(t, bundle, hashes, 0);
      rechecked++;
    }
    cursor = (cursor + picks.length) % olderFull;
  }

  const state: MonitorState = {
    version: STATE_VERSION,
    url: cfg.url,
    origin: cp.origin,
    logKey: cfg.logKey.vkey,
    size: cp.size,
    root: toBase64(cp.rootHash),
    frontier: range.subtrees().map(toBase64),
    checkpoint: note,
    entriesVerified: cfg.withEntries ? cp.size : Math.min(seen?.entriesVerified ?? 0, cp.size),
    fullTiles: Math.floor(cp.size / TILE_WIDTH),
    partial,
    recheckCursor: cursor,
    verifiedAt: new Date(now()).toISOString(),
  };
  if (knownFull + newDigests.length !== state.fullTiles) throw new Error("internal: tile digests out of step");
  return { ok: true, state, newDigests, grewBy: cp.size - (seen?.size ?? 0), rechecked };
}

function checkedHashes(t: Tile, data: Uint8Array): Uint8Array[] {
  if (data.length !== t.width * 32) {
    found(
      "truncation",
      `level-0 tile ${t.index} has ${data.length} bytes, a tile of width ${t.width} has ${t.width * 32}`,
      t.index * TILE_WIDTH + 1,
    );
  }
  return tileHashes(data, t.width);
}

/** Every entry of the bundle from leaf `fromLeaf` on hashes to its leaf, and names its own seq. */
function checkEntries(t: Tile, bundle: Uint8Array, hashes: Uint8Array[], fromLeaf: number): void {
  const start = t.index * TILE_WIDTH;
  let entries: Uint8Array[];
  try {
    entries = decodeEntryBundle(bundle, t.width);
  } catch (e) {
    return found("leaf-mismatch", `entry bundle ${t.index}: ${(e as Error).message}`, start + 1);
  }
  const decoder = new TextDecoder();
  for (const [i, entry] of entries.entries()) {
    const seq = start + i + 1;
    if (start + i < fromLeaf) continue;
    if (!bytesEqual(hashLeaf(entry), hashes[i]!)) {
      found(
        "leaf-mismatch",
        `entry ${seq}: its bytes hash to ${toBase64(hashLeaf(entry))}, but the tree's leaf ${seq - 1} is ${toBase64(hashes[i]!)}: the entry was changed after it was logged`,
        seq,
      );
    }
    // Ledgerline entries are RFC 8785 JSON whose "seq" sits right before "source".
    if (!decoder.decode(entry).includes(`,"seq":${seq},"source":`)) {
      found("leaf-mismatch", `the entry at leaf ${seq - 1} does not say seq ${seq}`, seq);
    }
  }
}

function checkQuorum(cfg: MonitorConfig, note: string, nowSeconds: number): void {
  const cosigners = cfg.policy.witnesses.map((w) => w.cosigner);
  if (!cosigners.length && cfg.policy.quorum === "none") return;
  // Cosignatures dated more than 10 minutes ahead of this machine's clock do not count.
  const r = checkCosignatures(note, cosigners, { now: nowSeconds, maxFutureSeconds: 600 });
  const ids = new Set(r.valid.map((v) => `${v.name}+${v.keyId}`));
  const cosigned = new Set(
    cfg.policy.witnesses
      .filter((w) => ids.has(`${w.cosigner.name}+${toHex(cosignerKeyId(w.cosigner.name, w.cosigner.publicKey))}`))
      .map((w) => w.label),
  );
  if (r.invalid.length) {
    found(
      "lost-quorum",
      `invalid cosignature(s): ${r.invalid.map((i) => `${i.name}+${i.keyId} (${i.reason})`).join(", ")}`,
    );
  }
  if (!quorumSatisfied(cfg.policy, cosigned)) {
    const have = r.valid.map((v) => v.name).join(", ") || "none";
    found(
      "lost-quorum",
      `the checkpoint is cosigned by ${cosigned.size} of the ${cosigners.length} configured witness(es) (${have}), short of the quorum: nobody outside the log vouches for this tree head`,
    );
  }
}

function signersOf(note: string): string {
  const s = splitNote(note);
  if (!s.ok) return "the checkpoint is not a signed note";
  return `the checkpoint is signed by ${s.signatures.map((x) => `${x.name}+${x.keyId}`).join(", ") || "nobody"} (was the signing key swapped?)`;
}

/** Yields fn(item) for each item in order, with up to `concurrency` calls in flight. */
async function* inOrder<T, R>(items: T[], fn: (t: T) => Promise<R>, concurrency: number): AsyncGenerator<[T, R]> {
  const pending: Array<Promise<R>> = [];
  let next = 0;
  const fill = () => {
    while (next < items.length && pending.length < concurrency) {
      const p = fn(items[next++]!);
      p.catch(() => undefined); // observed when awaited; never an unhandled rejection if we stop early
      pending.push(p);
    }
  };
  for (let i = 0; i < items.length; i++) {
    fill();
    const r = await pending.shift()!;
    yield [items[i]!, r];
  }
}
