import "server-only";
import { appendSignatures, parseVerifierKey, shortKey } from "@/lib/core/index.ts";
import { pinnedLogKeys, witnessQuorum, type Pins } from "@/lib/core/pins.ts";
import type { Policy } from "@/lib/core/tlog/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import { allCheckpoints } from "./store/checkpoints.ts";
import { cosignaturesOf } from "./store/cosignatures.ts";
import { allKeyRotations, allSigningKeys } from "./store/signing-keys.ts";
import type { Verifier } from "./verify.ts";

// Which keys a verifier of this store trusts, and why — never because the store says so.
// Pins come from outside: log keys (`--key`, a trust file), and/or a witness policy. From a
// pinned log key, rotation statements (self-authenticating: signed by the old and the new key)
// lead to later keys. Without any pin the store's own `signing_keys` are used, and the verdict
// can only be "consistent, but unpinned".

export type Trust = {
  pinned: boolean;
  verifiers: Verifier[];
  /** One line per trusted key: which, and why. */
  explanation: string[];
  /** Rotation statements that did not chain from a pinned key (shown, never trusted). */
  rejected: string[];
};

/** The keys to check checkpoints with, from the pins (and the statements the store holds). */
export async function resolveTrust(db: SqlDriver, origin: string, pins: Pins): Promise<Trust> {
  if (pins.keys.length) {
    const statements = (await allKeyRotations(db).catch(() => [])).map((r) => r.statement);
    const keys = pinnedLogKeys(pins, statements, origin);
    return {
      pinned: true,
      verifiers: keys.trusted.map((t) => parseVerifierKey(t.verifierKey)),
      explanation: keys.explanation,
      rejected: keys.rejected,
    };
  }
  const rows = await allSigningKeys(db);
  return {
    pinned: false,
    // Each key counts only for checkpoints created within its validity period.
    verifiers: rows.map((r) => ({
      name: r.name,
      publicKey: new Uint8Array(r.public_key),
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    })),
    explanation: rows.map((r) => `${shortKey(r.verifier_key)}: listed in this store's signing_keys (not a pin)`),
    rejected: [],
  };
}

/**
 * The newest checkpoint whose stored cosignatures satisfy `policy`, re-verified here against
 * the policy's witness keys (a line the store holds counts only if it verifies), or null.
 */
export async function quorumCheckpoint(
  db: SqlDriver,
  policy: Policy,
): Promise<{ treeSize: number; witnesses: string[] } | null> {
  const cps = await allCheckpoints(db);
  for (let i = cps.length - 1; i >= 0; i--) {
    const cp = cps[i]!;
    const lines = (await cosignaturesOf(db, Number(cp.tree_size))).map((c) => c.line);
    if (!lines.length) continue;
    const q = witnessQuorum(appendSignatures(cp.note, lines), policy);
    if (q.met) return { treeSize: Number(cp.tree_size), witnesses: q.cosigned };
  }
  return null;
}
