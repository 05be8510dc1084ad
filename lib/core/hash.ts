import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { canonicalJson } from "./canonical-json.ts";
import { concatBytes, utf8 } from "./bytes.ts";

// RFC 9162 §2.1.1 domain separation: leaves are hashed with a 0x00 prefix and interior nodes
// with 0x01, so a leaf can never be passed off as an interior node (second-preimage attack).
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** A SHA-256 implementation: the digest of the concatenation of `parts`. */
export type Sha256Impl = (...parts: Uint8Array[]) => Uint8Array;

// Pure JS by default, so this module runs in a browser. A host with native SHA-256
// (Node's crypto is ~3× faster on log entries) may swap it in with useSha256; the
// digests are identical by definition, and a self-check refuses a wrong one.
let impl: Sha256Impl = (...parts) => nobleSha256(parts.length === 1 ? parts[0]! : concatBytes(...parts));

/**
 * Replaces the SHA-256 implementation used by every function here. Invariant: the
 * candidate must reproduce the FIPS 180-2 "abc" digest, or it is refused (throws).
 */
export function useSha256(candidate: Sha256Impl): void {
  const abc = candidate(Uint8Array.of(0x61), Uint8Array.of(0x62, 0x63));
  const want = nobleSha256(Uint8Array.of(0x61, 0x62, 0x63));
  if (abc.length !== 32 || abc.some((b, i) => b !== want[i]))
    throw new Error("useSha256: implementation gives wrong digests");
  impl = candidate;
}

/** SHA-256 digest (32 bytes) of `b`. */
export function sha256(b: Uint8Array): Uint8Array {
  return impl(b);
}

/** RFC 9162 leaf hash: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return impl(LEAF_PREFIX, data);
}

/** RFC 9162 interior node hash: SHA-256(0x01 || left || right). Order matters. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return impl(NODE_PREFIX, left, right);
}

/**
 * Root hash of the empty tree, SHA-256("") (RFC 9162 §2.1.1).
 * Shared constant: never mutate it; functions in this module hand out copies.
 */
export const EMPTY_ROOT: Uint8Array = nobleSha256(new Uint8Array(0));

/**
 * Leaf hash of a log entry (SPEC §2): SHA-256(0x00 || UTF-8(JCS(entry))).
 * Invariant: throws (via canonicalJson) on anything outside the JSON data model, so an
 * entry with an `undefined` field cannot hash as if the field were absent.
 */
export function entryLeafHash(entry: object): Uint8Array {
  return hashLeaf(utf8(canonicalJson(entry)));
}
