import { bytesEqual, toHex } from "../bytes.ts";
import { keyFingerprint, keyId, parseVerifierKey, pemToPublicKey } from "../note.ts";
import { pinnedLogKeys, type Pins } from "../pins.ts";
import { check, type BundleCheck } from "./verify-kit.ts";

// The key check: only the caller can say which key to trust. Without one it is skipped and
// the fingerprint must be compared out of band. A pinned verifier key also trusts every key a
// chain of rotation statements leads to — statements the bundle carries in its manifest, each
// signed by the old and the new key, so the bundle cannot invent a link.

type TrustedKey = { publicKey: Uint8Array; name: string | null; why: string };

function parseTrustedKey(key: string, why: string): TrustedKey {
  const s = key.trim();
  if (s.startsWith("-----BEGIN")) return { publicKey: pemToPublicKey(s), name: null, why };
  const v = parseVerifierKey(s);
  return { publicKey: v.publicKey, name: v.name, why };
}

export type KeyCheck = { check: BundleCheck; trusted: string[] };

/** Pinned keys: PEMs as given; verifier keys plus the keys rotation statements chain to from them. */
function trustedKeys(
  pinned: string[],
  rotation: { statements: string[]; origin: string | null },
): { keys: TrustedKey[]; rejected: string[] } {
  const pems = pinned.filter((k) => k.trim().startsWith("-----BEGIN"));
  const pins: Pins = {
    keys: pinned.filter((k) => !pems.includes(k)).map((k) => ({ verifierKey: k.trim(), why: "pinned" })),
    policy: null,
  };
  // A malformed pin throws here and is reported by the caller.
  for (const p of pins.keys) parseVerifierKey(p.verifierKey);
  const chain =
    rotation.origin !== null && rotation.statements.length
      ? pinnedLogKeys(pins, rotation.statements, rotation.origin)
      : { trusted: pins.keys, rejected: [] };
  return {
    keys: [
      ...pems.map((p) => parseTrustedKey(p, "pinned (PEM)")),
      ...chain.trusted.map((t) => parseTrustedKey(t.verifierKey, t.why)),
    ],
    rejected: chain.rejected,
  };
}

/**
 * The "key" check: the bundle's key is one of the keys the caller pinned (a deployment's
 * current and retired keys, say) or one a valid rotation chain leads to from them, and when a
 * pinned key carries a name, the checkpoint's key id is that name's — so a key published for
 * another log cannot stand in. Without a pinned key the check is skipped: the bundle is then
 * at best "consistent but unpinned" (or verified by a witness quorum).
 */
export function checkKey(
  pinnedKeys: string[] | undefined,
  bundle: { publicKey: Uint8Array | null; signerKeyId: string | null },
  rotation: { statements: string[]; origin: string | null } = { statements: [], origin: null },
): KeyCheck {
  const { publicKey, signerKeyId } = bundle;
  if (!pinnedKeys?.length) {
    const detail = publicKey
      ? `not pinned: compare the fingerprint ${keyFingerprint(publicKey)} with the one the deployment publishes (GET /api/v1/keys), out of band`
      : "no public key in the bundle";
    return { check: check("key", "skip", detail), trusted: [] };
  }
  let trusted: ReturnType<typeof trustedKeys>;
  try {
    trusted = trustedKeys(pinnedKeys, rotation);
  } catch (e) {
    const detail = `a key you gave is neither a verifier key string nor an Ed25519 PEM (${(e as Error).message})`;
    return { check: check("key", "fail", detail), trusted: [] };
  }
  const explained = trusted.keys.map(
    (t) => `log key ${keyFingerprint(t.publicKey)}${t.name ? ` (${t.name})` : ""}: ${t.why}`,
  );
  const fail = (detail: string): KeyCheck => ({ check: check("key", "fail", detail), trusted: explained });
  if (!publicKey) return fail("the bundle has no usable public key");
  const match = trusted.keys.find((t) => bytesEqual(t.publicKey, publicKey));
  if (!match) {
    const yours = trusted.keys.map((t) => keyFingerprint(t.publicKey)).join(", ");
    const notFollowed = trusted.rejected.length
      ? `; rotation statements not followed: ${trusted.rejected.join("; ")}`
      : "";
    return fail(
      `the bundle is signed by ${keyFingerprint(publicKey)}, not by a key you trust (${yours})${notFollowed}`,
    );
  }
  if (match.name !== null && signerKeyId !== null && toHex(keyId(match.name, match.publicKey)) !== signerKeyId) {
    return fail(`the checkpoint is signed under key id ${signerKeyId}, not ${match.name}'s`);
  }
  const why = match.why === "pinned" || match.why === "pinned (PEM)" ? "" : ` — ${match.why}`;
  return {
    check: check("key", "pass", `signed by a key you trust (${keyFingerprint(publicKey)})${why}`),
    trusted: explained,
  };
}
