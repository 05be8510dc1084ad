import { nodeHasher } from "@/lib/node-hasher.ts";
import { bytesEqual, hashLeaf, sha256, toBase64, toHex } from "@/lib/core/index.ts";
import {
  TILE_WIDTH,
  checkCosignatures,
  cosignerKeyId,
  decodeEntryBundle,
  quorumSatisfied,
  tileHashes,
  type Policy,
  type Tile,
} from "@/lib/core/tlog/index.ts";
import { rotationIn, type RotationSeen } from "./keys.ts";
import { found } from "./problems.ts";

// The individual checks of a monitoring pass; each throws (via found) naming the problem.

export function checkedHashes(t: Tile, data: Uint8Array): Uint8Array[] {
  if (data.length !== t.width * 32) {
    found(
      "truncation",
      `level-0 tile ${t.index} has ${data.length} bytes, a tile of width ${t.width} has ${t.width * 32}`,
      t.index * TILE_WIDTH + 1,
    );
  }
  return tileHashes(data, t.width);
}

/**
 * Every entry of the bundle from leaf `fromLeaf` on hashes to its leaf, and names its own seq.
 * Key rotation statements in those entries go to `rotations` (the monitor follows them).
 */
export function checkEntries(
  t: Tile,
  bundle: Uint8Array,
  hashes: Uint8Array[],
  fromLeaf: number,
  rotations: RotationSeen[] = [],
): void {
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
    if (!bytesEqual(hashLeaf(entry, nodeHasher), hashes[i]!)) {
      found(
        "leaf-mismatch",
        `entry ${seq}: its bytes hash to ${toBase64(hashLeaf(entry, nodeHasher))}, but the tree's leaf ${seq - 1} is ${toBase64(hashes[i]!)}: the entry was changed after it was logged`,
        seq,
      );
    }
    // Ledgerline entries are RFC 8785 JSON whose "seq" sits right before "source".
    const text = decoder.decode(entry);
    if (!text.includes(`,"seq":${seq},"source":`)) {
      found("leaf-mismatch", `the entry at leaf ${seq - 1} does not say seq ${seq}`, seq);
    }
    const statement = rotationIn(text);
    if (statement) rotations.push({ seq, statement });
  }
}

export function checkQuorum(policy: Policy, note: string, nowSeconds: number): void {
  const cosigners = policy.witnesses.map((w) => w.cosigner);
  if (!cosigners.length && policy.quorum === "none") return;
  // Cosignatures dated more than 10 minutes ahead of this machine's clock do not count.
  const r = checkCosignatures(note, cosigners, { now: nowSeconds, maxFutureSeconds: 600 });
  const ids = new Set(r.valid.map((v) => `${v.name}+${v.keyId}`));
  const cosigned = new Set(
    policy.witnesses
      .filter((w) => ids.has(`${w.cosigner.name}+${toHex(cosignerKeyId(w.cosigner.name, w.cosigner.publicKey))}`))
      .map((w) => w.label),
  );
  if (r.invalid.length) {
    found(
      "lost-quorum",
      `invalid cosignature(s): ${r.invalid.map((i) => `${i.name}+${i.keyId} (${i.reason})`).join(", ")}`,
    );
  }
  if (!quorumSatisfied(policy, cosigned)) {
    const have = r.valid.map((v) => v.name).join(", ") || "none";
    found(
      "lost-quorum",
      `the checkpoint is cosigned by ${cosigned.size} of the ${cosigners.length} configured witness(es) (${have}), short of the quorum: nobody outside the log vouches for this tree head`,
    );
  }
}

/** Yields fn(item) for each item in order, with up to `concurrency` calls in flight. */
export async function* inOrder<T, R>(
  items: T[],
  fn: (t: T) => Promise<R>,
  concurrency: number,
): AsyncGenerator<[T, R]> {
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

/** A full tile seen before must still have the digest it had. */
export function checkDigest(t: Tile, data: Uint8Array, digest: Uint8Array): void {
  if (!bytesEqual(sha256(data), digest)) {
    const start = t.index * TILE_WIDTH;
    found(
      "history-changed",
      `level-0 tile ${t.index} (entries ${start + 1}..${start + TILE_WIDTH}) differs from the one this monitor verified before: leaf hashes of published history were rewritten`,
      start + 1,
    );
  }
}
