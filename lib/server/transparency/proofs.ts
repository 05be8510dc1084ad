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
import { storedRangeHasher } from "../ledger/tree.ts";

// The verifier-facing reads of SPEC §4. Proofs are built from committed rows
// only (the reader connection never sees an open write transaction).

export type LatestCheckpoint = { treeSize: number; note: string; createdAt: string; keyId: string };

export async function latestCheckpoint(ledger: Ledger): Promise<LatestCheckpoint | null> {
  const row = await ledger.db.get<{ tree_size: number; note: string; created_at: string; key_id: string }>(
    "SELECT tree_size, note, created_at, key_id FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
  );
  return row ? { treeSize: Number(row.tree_size), note: row.note, createdAt: row.created_at, keyId: row.key_id } : null;
}

export async function committedSize(ledger: Ledger): Promise<number> {
  const r = await ledger.db.get<{ n: number | null }>("SELECT MAX(seq) AS n FROM entries");
  return Number(r?.n ?? 0);
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
  const leaf = await ledger.db.get<{ leaf_hash: Uint8Array }>("SELECT leaf_hash FROM entries WHERE seq = ?", [seq]);
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
  const rows = await ledger.prisma.signingKey.findMany({ orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({
    keyId: r.keyId,
    name: r.name,
    verifierKey: r.verifierKey,
    publicKeyPem: publicKeyToPem(new Uint8Array(r.publicKey)),
    fingerprint: keyFingerprint(new Uint8Array(r.publicKey)),
    createdAt: r.createdAt,
    retiredAt: r.retiredAt,
    status: r.retiredAt ? "retired" : "current",
  }));
}
