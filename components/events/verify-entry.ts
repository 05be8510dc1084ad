import { fromBase64, toBase64, utf8 } from "@/lib/core/bytes.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import { hashLeaf } from "@/lib/core/hash.ts";
import { rootFromInclusionProof } from "@/lib/core/merkle.ts";
import { openNote, parseCheckpoint, parseVerifierKey } from "@/lib/core/note.ts";

// The browser-side check of one entry (SPEC §4), from what the server served:
// its canonical JSON, an inclusion proof, a signed checkpoint and the published
// keys. Pure: the caller fetches. Returns every step's result; never throws
// (verification returns, it does not throw).

export type VerifyStep = { name: string; ok: boolean; detail: string };
export type VerifyOutcome = { ok: boolean; steps: VerifyStep[] };

export type InclusionProofBody = { leafIndex: number; treeSize: number; leafHash?: string; path: string[] };
export type KeysBody = {
  origin?: string;
  keys: Array<{ name?: string; keyId?: string; verifierKey: string; fingerprint?: string; status?: string }>;
};

export type VerifyInput = {
  seq: number;
  canonicalJson: string;
  /** The leaf hash the server stored (base64), compared with the recomputed one. */
  storedLeafHash: string;
  /** The covering checkpoint note as served with the entry. */
  note: string;
  treeSize: number;
  proof: InclusionProofBody;
  keys: KeysBody;
};

type Step = (name: string, ok: boolean, detail: string) => boolean;

/** 1. The bytes are the canonical form (RFC 8785), so the hash is of the one spelling. */
function checkCanonical(input: VerifyInput, step: Step): void {
  let canonicalOk = false;
  try {
    canonicalOk = canonicalJson(JSON.parse(input.canonicalJson)) === input.canonicalJson;
  } catch {
    canonicalOk = false;
  }
  step(
    "Canonical JSON",
    canonicalOk,
    canonicalOk ? "The entry's JSON is in RFC 8785 canonical form." : "The served JSON is not in canonical form.",
  );
}

/** 2. Leaf hash recomputed here: SHA-256(0x00 || UTF-8 bytes). The leaf, or null when it is not the stored one. */
function checkLeaf(input: VerifyInput, step: Step): Uint8Array | null {
  const leaf = hashLeaf(utf8(input.canonicalJson));
  const leafB64 = toBase64(leaf);
  const ok = step(
    "Leaf hash",
    leafB64 === input.storedLeafHash,
    leafB64 === input.storedLeafHash
      ? `SHA-256(0x00 ‖ bytes) = ${leafB64}, as stored.`
      : `Recomputed ${leafB64}, but the server stores ${input.storedLeafHash}.`,
  );
  return ok ? leaf : null;
}

/** 3. The checkpoint note's signature against the published verifier keys, then its size and origin. */
function checkCheckpoint(input: VerifyInput, step: Step): ReturnType<typeof parseCheckpoint> | null {
  const verifiers: Array<{ name: string; publicKey: Uint8Array }> = [];
  for (const k of input.keys.keys ?? []) {
    try {
      const v = parseVerifierKey(k.verifierKey);
      verifiers.push({ name: v.name, publicKey: v.publicKey });
    } catch {
      // a malformed published key cannot vouch for anything; the note check below decides
    }
  }
  const opened = openNote(input.note, verifiers);
  if (!opened.ok) {
    step("Checkpoint signature", false, opened.reason);
    return null;
  }
  const signer = opened.verified.map((v) => `${v.name} (key id ${v.keyId})`).join(", ");
  step("Checkpoint signature", true, `Ed25519 signature by ${signer} verifies against the published key.`);

  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    cp = parseCheckpoint(opened.text);
  } catch (e) {
    step("Checkpoint", false, (e as Error).message);
    return null;
  }
  const sizeOk = cp.size === input.treeSize && input.proof.treeSize === cp.size;
  const originOk = input.keys.origin === undefined || input.keys.origin === cp.origin;
  const ok = step(
    "Checkpoint",
    sizeOk && originOk,
    !sizeOk
      ? `The note is for tree size ${cp.size}, the proof for ${input.proof.treeSize}.`
      : !originOk
        ? `The note names origin "${cp.origin}", the server "${input.keys.origin}".`
        : `Origin ${cp.origin}, tree size ${cp.size}, root ${toBase64(cp.rootHash)}.`,
  );
  return ok ? cp : null;
}

/** 4. The inclusion proof leads from the recomputed leaf to the signed root. */
function checkInclusion(input: VerifyInput, leaf: Uint8Array, cp: { size: number; rootHash: Uint8Array }, step: Step) {
  if (input.proof.leafIndex !== input.seq - 1) {
    step("Inclusion proof", false, `The proof is for leaf index ${input.proof.leafIndex}, not ${input.seq - 1}.`);
    return;
  }
  try {
    const path = input.proof.path.map((p) => fromBase64(p));
    const root = toBase64(rootFromInclusionProof(input.seq - 1, cp.size, leaf, path));
    const ok = root === toBase64(cp.rootHash);
    step(
      "Inclusion proof",
      ok,
      ok
        ? `${path.length} hashes lead from leaf ${input.seq - 1} to the signed root.`
        : `The proof leads to ${root}, not to the signed root ${toBase64(cp.rootHash)}.`,
    );
  } catch (e) {
    step("Inclusion proof", false, `Malformed proof: ${(e as Error).message}`);
  }
}

export function verifyEntry(input: VerifyInput): VerifyOutcome {
  const steps: VerifyStep[] = [];
  const step: Step = (name, ok, detail) => {
    steps.push({ name, ok, detail });
    return ok;
  };
  const done = () => ({ ok: steps.every((s) => s.ok), steps });
  checkCanonical(input, step);
  const leaf = checkLeaf(input, step);
  if (!leaf) return done();
  const cp = checkCheckpoint(input, step);
  if (!cp) return done();
  checkInclusion(input, leaf, cp, step);
  return done();
}
