import "server-only";
import {
  consistencyProofFrom,
  inclusionProofFrom,
  keyFingerprint,
  publicKeyToPem,
  toBase64,
} from "@/lib/core/index.ts";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { latestCheckpointSummary } from "../ledger/store/checkpoints.ts";
import { entryAt, logHead } from "../ledger/store/entries.ts";
import { allSigningKeys } from "../ledger/store/signing-keys.ts";
import { storedRangeHasher } from "../ledger/tree.ts";

// The verifier-facing reads of SPEC §4. Proofs are built from committed rows
// only (the reader connection never sees an open write transaction).

export function latestCheckpoint(ledger: Ledger) {
  return latestCheckpointSummary(ledger.db);
}

export function committedSize(ledger: Ledger): Promise<number> {
  return logHead(ledger.db);
}

async function defaultTreeSize(ledger: Ledger, param: string): Promise<number> {
  const cp = await latestCheckpoint(ledger);
  if (!cp)
    throw new AppError("not_found", `No checkpoint has been signed yet; pass ${param} explicitly or retry shortly.`);
  return cp.treeSize;
}

export async function inclusionProof(ledger: Ledger, seq: number, treeSizeParam?: number) {
  const treeSize = treeSizeParam ?? (await defaultTreeSize(ledger, "treeSize"));
  const size = await committedSize(ledger);
  if (treeSize > size)
    throw new AppError("bad_request", `treeSize ${treeSize} is larger than the log (${size} entries).`);
  if (seq > treeSize)
    throw new AppError("bad_request", `seq ${seq} is not in a tree of size ${treeSize}; ask for treeSize ≥ ${seq}.`);
  const leaf = await entryAt(ledger.db, seq);
  if (!leaf) throw new AppError("not_found", `No entry with seq ${seq}.`);
  const path = await inclusionProofFrom(seq - 1, treeSize, storedRangeHasher(ledger.db));
  return { leafIndex: seq - 1, treeSize, leafHash: toBase64(new Uint8Array(leaf.leaf_hash)), path: path.map(toBase64) };
}

export async function consistencyProof(ledger: Ledger, from: number, toParam?: number) {
  const to = toParam ?? (await defaultTreeSize(ledger, "to"));
  const size = await committedSize(ledger);
  if (to > size) throw new AppError("bad_request", `to=${to} is larger than the log (${size} entries).`);
  if (from > to) throw new AppError("bad_request", `from=${from} must not exceed to=${to}.`);
  const path = await consistencyProofFrom(from, to, storedRangeHasher(ledger.db));
  return { from, to, path: path.map(toBase64) };
}

export async function publishedKeys(ledger: Ledger) {
  await ledger.signingKey();
  // SQL, not Prisma: a key's retirement is its rotation statement's row (migration 0009).
  const rows = await allSigningKeys(ledger.db);
  return rows.map((r) => ({
    keyId: r.key_id,
    name: r.name,
    verifierKey: r.verifier_key,
    publicKeyPem: publicKeyToPem(new Uint8Array(r.public_key)),
    fingerprint: keyFingerprint(new Uint8Array(r.public_key)),
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    status: r.retired_at ? "retired" : "current",
  }));
}
