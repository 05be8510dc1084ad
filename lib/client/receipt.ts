// Receipts: proof, held by the sender, that an entry it sent is in the log unchanged.
//
// The ingest answer gives each accepted entry its `seq` and `leafHash` (SHA-256 of the exact
// entry bytes the server committed to) and says by when a checkpoint will cover it
// (`coveredBy`). After that time, `verifyReceipt` fetches the latest checkpoint, checks the
// log's signature with a key the sender pinned out of band, optionally that enough witnesses
// it trusts cosigned it (c2sp.org/tlog-cosignature; quorum as in c2sp.org/tlog-policy), and an
// RFC 9162 inclusion proof of *the leaf hash the sender was given* — never the one the server
// reports now. An entry changed while it sat in the unsigned tail (before any checkpoint)
// has another leaf hash, so the server's signed tree cannot prove the original: the receipt
// fails and says so.
//
// Uses lib/core (pure TypeScript on @noble/curves and @noble/hashes) — the same code as the
// offline verifier.

import { fromBase64, toBase64 } from "../core/bytes.ts";
import { verifyInclusion } from "../core/merkle-verify.ts";
import { openNote, parseCheckpoint, parseVerifierKey } from "../core/note.ts";
import { checkCosignatures } from "../core/tlog/cosignature.ts";
import { parsePolicy, quorumSatisfied, simplePolicy, type Policy } from "../core/tlog/policy.ts";

/** What the ingest answer gave for one accepted entry. */
export type Receipt = { seq: number; leafHash: string };

export type ReceiptTrust = {
  /** The log's verifier key (`ledgerline signing-key show`), obtained out of band. */
  logKey: string;
  /** Witness cosigner keys (`<name>+<id>+<base64>`, type 0x04) and how many must have cosigned. */
  witnesses?: string[];
  quorum?: number;
  /** Instead of witnesses/quorum: a C2SP tlog-policy text (its quorum line applies). */
  policy?: string;
};

export type ReceiptResult =
  | { ok: true; seq: number; treeSize: number; rootHash: string; cosignedBy: string[]; checkpoint: string }
  /** No checkpoint covers the entry yet: try again after the ingest answer's `coveredBy`. */
  | { ok: false; pending: true; seq: number; treeSize: number; reason: string }
  | { ok: false; pending: false; seq: number; reason: string; treeSize?: number };

export type ReceiptOptions = { fetch?: typeof fetch; timeoutMs?: number; now?: () => number };

/** Cosignatures dated this far in the future are refused (clock skew allowance). */
const MAX_FUTURE_SECONDS = 600;

function policyOf(t: ReceiptTrust): Policy {
  if (t.policy) return parsePolicy(t.policy);
  const ws = t.witnesses ?? [];
  return simplePolicy(t.logKey, ws, t.quorum ?? ws.length);
}

async function get(url: string, o: ReceiptOptions): Promise<Response> {
  return (o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
}

/**
 * Verifies a receipt against the log at `baseUrl`. Never throws for findings: a bad
 * signature, a missing quorum, a leaf the log cannot prove, or an entry not covered yet
 * come back as `ok: false` with the reason. Network failures do throw.
 */
export async function verifyReceipt(
  baseUrl: string,
  receipt: Receipt,
  trust: ReceiptTrust,
  opts: ReceiptOptions = {},
): Promise<ReceiptResult> {
  const seq = receipt.seq;
  const fail = (reason: string, treeSize?: number): ReceiptResult => ({
    ok: false,
    pending: false,
    seq,
    reason,
    treeSize,
  });
  let leaf: Uint8Array;
  let policy: Policy;
  let logKey: ReturnType<typeof parseVerifierKey>;
  try {
    leaf = fromBase64(receipt.leafHash);
    logKey = parseVerifierKey(trust.logKey);
    policy = policyOf(trust);
  } catch (e) {
    return fail(`bad receipt or trust settings: ${(e as Error).message}`);
  }
  if (!Number.isSafeInteger(seq) || seq < 1 || leaf.length !== 32)
    return fail("a receipt is a seq ≥ 1 and a 32-byte leafHash");
  const base = baseUrl.replace(/\/+$/, "");
  const cpRes = await get(`${base}/api/v1/checkpoint`, opts);
  if (!cpRes.ok) return fail(`GET /api/v1/checkpoint answered ${cpRes.status}`);
  const note = await cpRes.text();
  const opened = openNote(note, [logKey]);
  if (!opened.ok) return fail(`the checkpoint is not signed by the pinned log key: ${opened.reason}`);
  const cp = parseCheckpoint(opened.text);
  if (cp.origin !== logKey.name)
    return fail(`the checkpoint's origin ${cp.origin} is not the log key's ${logKey.name}`);
  const now = Math.floor((opts.now ?? Date.now)() / 1000);
  const valid = checkCosignatures(
    note,
    policy.witnesses.map((w) => w.cosigner),
    { now, maxFutureSeconds: MAX_FUTURE_SECONDS },
  ).valid;
  const labels = new Set(
    policy.witnesses.filter((w) => valid.some((v) => v.name === w.cosigner.name)).map((w) => w.label),
  );
  const cosignedBy = policy.witnesses.filter((w) => labels.has(w.label)).map((w) => w.cosigner.name);
  if (!quorumSatisfied(policy, labels)) {
    return fail(
      `the checkpoint of size ${cp.size} lacks the witness quorum (cosigned by ${cosignedBy.length ? cosignedBy.join(", ") : "none"})`,
      cp.size,
    );
  }
  if (seq > cp.size) {
    return {
      ok: false,
      pending: true,
      seq,
      treeSize: cp.size,
      reason: `not covered yet: the latest checkpoint has ${cp.size} entries`,
    };
  }
  const pRes = await get(`${base}/api/v1/proofs/inclusion?seq=${seq}&treeSize=${cp.size}`, opts);
  if (!pRes.ok) return fail(`GET /api/v1/proofs/inclusion answered ${pRes.status}`, cp.size);
  const proof = (await pRes.json()) as { leafHash?: string; path?: string[] };
  let path: Uint8Array[];
  try {
    path = (proof.path ?? []).map(fromBase64);
  } catch {
    return fail("the inclusion proof is not base64", cp.size);
  }
  if (!verifyInclusion(seq - 1, cp.size, leaf, path, cp.rootHash)) {
    const changed = proof.leafHash !== undefined && proof.leafHash !== receipt.leafHash;
    return fail(
      changed
        ? `entry ${seq} was changed after it was acknowledged: the signed tree of size ${cp.size} holds leaf ${proof.leafHash}, not ${receipt.leafHash}`
        : `the signed tree of size ${cp.size} does not contain leaf ${receipt.leafHash} at entry ${seq}`,
      cp.size,
    );
  }
  return { ok: true, seq, treeSize: cp.size, rootHash: toBase64(cp.rootHash), cosignedBy, checkpoint: note };
}
