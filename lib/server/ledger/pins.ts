import "server-only";
import {
  appendSignatures,
  followKeyRotations,
  parseVerifierKey,
  shortKey,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { checkCosignatures, parsePolicy, quorumSatisfied, simplePolicy, type Policy } from "@/lib/core/tlog/index.ts";
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

export type Pins = {
  /** Log verifier keys pinned out of band, each with where it came from. */
  keys: Array<{ verifierKey: string; why: string }>;
  /** Witnesses and quorum (tlog-policy), or null. */
  policy: Policy | null;
};

export type Trust = {
  pinned: boolean;
  verifiers: Verifier[];
  /** One line per trusted key: which, and why. */
  explanation: string[];
  /** Rotation statements that did not chain from a pinned key (shown, never trusted). */
  rejected: string[];
};

/**
 * Parses a trust file: a tlog-policy file (lines `log`, `witness`, `group`, `quorum`) or one
 * verifier key per line (`#` comments and blank lines ignored). Throws with what is wrong.
 */
export function parseTrustFile(text: string, file: string): Pins {
  const lines = text.split("\n").map((l) => l.trim());
  if (lines.some((l) => /^(log|witness|group|quorum)\s/.test(l))) {
    const policy = parsePolicy(text.endsWith("\n") ? text : `${text}\n`);
    return {
      keys: policy.logs.map((l) => ({ verifierKey: l.vkey, why: `log key in policy file ${file}` })),
      policy: policy.witnesses.length ? policy : null,
    };
  }
  const keys = lines
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      parseVerifierKey(l);
      return { verifierKey: l, why: `listed in ${file}` };
    });
  if (!keys.length) throw new Error(`${file} lists no verifier key`);
  return { keys, policy: null };
}

/** A policy from `--witness <vkey>… --quorum N` (the log key is checked separately). */
export function witnessPolicy(witnesses: string[], quorum: number): Policy {
  // simplePolicy needs a log line; the log's own keys are pinned through `keys`.
  const placeholder = verifierKeyString("placeholder", new Uint8Array(32).fill(1));
  return { ...simplePolicy(placeholder, witnesses, quorum), logs: [] };
}

/** The keys to check checkpoints with, from the pins (and the statements the store holds). */
export async function resolveTrust(db: SqlDriver, origin: string, pins: Pins): Promise<Trust> {
  if (pins.keys.length) {
    const statements = (await allKeyRotations(db).catch(() => [])).map((r) => r.statement);
    const { trusted, rejected } = followKeyRotations(pins.keys, statements, origin);
    return {
      pinned: true,
      verifiers: trusted.map((t) => parseVerifierKey(t.verifierKey)),
      explanation: trusted.map((t) => `${shortKey(t.verifierKey)}: ${t.why}`),
      rejected: rejected.map((r) => `rotation statement ${r.statement + 1}: ${r.reason}`),
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
  const cosigners = policy.witnesses.map((w) => w.cosigner);
  const cps = await allCheckpoints(db);
  for (let i = cps.length - 1; i >= 0; i--) {
    const cp = cps[i]!;
    const lines = (await cosignaturesOf(db, Number(cp.tree_size))).map((c) => c.line);
    if (!lines.length) continue;
    const check = checkCosignatures(appendSignatures(cp.note, lines), cosigners);
    const labels = new Set(
      policy.witnesses.filter((w) => check.valid.some((v) => v.name === w.cosigner.name)).map((w) => w.label),
    );
    if (quorumSatisfied(policy, labels)) {
      return { treeSize: Number(cp.tree_size), witnesses: [...labels] };
    }
  }
  return null;
}
