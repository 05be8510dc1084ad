import {
  KEY_ROTATION_HEADER,
  followKeyRotations,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  shortKey,
  splitNote,
  type TrustedKey,
} from "@/lib/core/index.ts";
import { found } from "./problems.ts";
import type { MonitorState } from "./state.ts";

// The log keys a monitor trusts, and how it follows a rotation. It starts from the key the
// auditor pinned (--key) and trusts a later key only through a `ledgerline.key-rotation/v1`
// statement (docs/format.md §8.4) signed by the key it already trusts and by the new one,
// found in an entry of the log this monitor verified leaf by leaf (entry bundles, read token).
// A checkpoint signed by any other key is "key changed without a rotation statement" —
// exactly what an insider who re-signs a rewritten history with a key of their own produces.

export type RotationSeen = { seq: number; statement: string };

/** The chain as saved: oldest first, the last one is the key checkpoints must be signed by. */
export type KeyChain = TrustedKey[];

export function chainOf(pinned: { vkey: string }, seen: MonitorState | null): KeyChain {
  // A chain saved for another pinned key does not count: the auditor changed --key.
  if (seen?.keyChain?.length && seen.keyChain[0]!.verifierKey === pinned.vkey) return seen.keyChain;
  return [{ verifierKey: pinned.vkey, why: "pinned with --key", fromSize: 0 }];
}

/** Pulls a rotation statement out of an entry's canonical JSON text (attributes.statement), or null. */
export function rotationIn(text: string): string | null {
  if (!text.includes(KEY_ROTATION_HEADER)) return null; // cheap test first: almost no entry has one
  try {
    const statement = (JSON.parse(text) as { attributes?: { statement?: unknown } }).attributes?.statement;
    return typeof statement === "string" && statement.startsWith(`${KEY_ROTATION_HEADER}\n`) ? statement : null;
  } catch {
    return null;
  }
}

export type Head =
  | { signedByCurrent: true; text: string }
  /** Signed by no key of the chain: accepted only if a rotation statement is found below. */
  | { signedByCurrent: false; text: string; signers: string };

/** Which key of the chain signed the checkpoint; a retired key of the chain never counts. */
export function openHead(note: string, chain: KeyChain): Head {
  const current = chain[chain.length - 1]!;
  const opened = openNote(note, [parseVerifierKey(current.verifierKey)]);
  if (opened.ok) return { signedByCurrent: true, text: opened.text };
  const split = splitNote(note);
  if (!split.ok) return found("bad-signature", `the checkpoint is not a signed note: ${split.reason}`);
  for (const old of chain.slice(0, -1)) {
    if (openNote(note, [parseVerifierKey(old.verifierKey)]).ok) {
      found(
        "key-changed",
        `the checkpoint is signed by ${shortKey(old.verifierKey)}, a key this monitor saw retired by a rotation statement (the current key is ${shortKey(current.verifierKey)}): a retired key signs again`,
      );
    }
  }
  const signers = split.signatures.map((s) => `${s.name}+${s.keyId}`).join(", ") || "nobody";
  try {
    parseCheckpoint(split.text);
  } catch (e) {
    return found(
      "bad-signature",
      `${opened.reason}; the checkpoint signed by ${signers} is not a checkpoint either: ${(e as Error).message}`,
    );
  }
  return { signedByCurrent: false, text: split.text, signers };
}

/**
 * For a checkpoint signed by no trusted key: the statements found in the verified entries,
 * followed from the current key. Returns the extended chain, or throws "key-changed" naming
 * the signer, the key trusted and where the monitor looked (`treeProblem`: what else is wrong).
 */
export function followRotation(
  note: string,
  chain: KeyChain,
  rotations: RotationSeen[],
  origin: string,
  ctx: { signers: string; withEntries: boolean; treeProblem: string | null },
): KeyChain {
  const current = chain[chain.length - 1]!;
  const { trusted } = followKeyRotations(
    [{ verifierKey: current.verifierKey, why: current.why }],
    rotations.map((r) => r.statement),
    origin,
  );
  // The newest key of the followed chain that signed this checkpoint, and the path to it.
  const signer = trusted.slice(1).find((k) => openNote(note, [parseVerifierKey(k.verifierKey)]).ok);
  if (signer && !ctx.treeProblem) return [...chain, ...pathTo(trusted, signer, current.verifierKey, rotations, origin)];
  const where = ctx.withEntries
    ? `none of the ${rotations.length} rotation statement(s) in the entries it verified is signed by ${shortKey(current.verifierKey)} and names that key`
    : "it cannot read the entries (no read token: give --token so it can look for a rotation statement)";
  return found(
    "key-changed",
    `key changed without a rotation statement: the checkpoint is signed by ${ctx.signers}, not by ${shortKey(current.verifierKey)} that this monitor trusts (${current.why}), and ${where}` +
      (ctx.treeProblem ? `; besides, ${ctx.treeProblem}` : ""),
  );
}

/** The keys between `from` and `to` in rotation order (a chain of several rotations at once). */
function pathTo(
  trusted: TrustedKey[],
  to: TrustedKey,
  from: string,
  rotations: RotationSeen[],
  origin: string,
): TrustedKey[] {
  const out: TrustedKey[] = [];
  let key = to;
  const parentOf = (vkey: string): string | null => {
    for (const r of rotations) {
      const lines = r.statement.split("\n");
      if (lines[3] === `new ${vkey}` && lines[1] === `origin ${origin}`) {
        const old = lines[2]!.slice(4);
        if (trusted.some((t) => t.verifierKey === old)) return old;
      }
    }
    return null;
  };
  for (let guard = 0; guard < trusted.length && key.verifierKey !== from; guard++) {
    out.unshift(key);
    const parent = parentOf(key.verifierKey);
    const next = parent ? trusted.find((t) => t.verifierKey === parent) : undefined;
    if (!next) break;
    key = next;
  }
  return out;
}
