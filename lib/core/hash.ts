import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { canonicalJson } from "./canonical-json.ts";
import { concatBytes, utf8 } from "./bytes.ts";

// RFC 9162 §2.1.1 domain separation: leaves are hashed with a 0x00 prefix and interior nodes
// with 0x01, so a leaf can never be passed off as an interior node (second-preimage attack).
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** A SHA-256 implementation: the digest of the concatenation of `parts`. */
export type Sha256 = (...parts: Uint8Array[]) => Uint8Array;

/**
 * The tree hasher every Merkle function takes, as transparency-dev/merkle passes its
 * LogHasher: the RFC 9162 leaf and node hashes over one SHA-256 implementation. The
 * default is pure JS (runs in a browser); server code passes Node's native SHA-256
 * (lib/node-hasher.ts), ~3× faster per log entry, with identical digests.
 */
export interface LogHasher {
  /** SHA-256 of the concatenation of `parts`. */
  digest(...parts: Uint8Array[]): Uint8Array;
  /** RFC 9162 leaf hash: SHA-256(0x00 || data). */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** RFC 9162 interior node hash: SHA-256(0x01 || left || right). Order matters. */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** Root of the empty tree, SHA-256(""): a fresh copy each call. */
  emptyRoot(): Uint8Array;
}

const EMPTY_DIGEST = nobleSha256(new Uint8Array(0));

/**
 * The RFC 9162 hasher over `sha256`. Invariant: the implementation must reproduce the
 * FIPS 180-2 "abc" digest (fed in two parts), or it is refused (throws) — a wrong SHA-256
 * would silently fork every hash it touches.
 */
export function rfc9162Hasher(sha256: Sha256): LogHasher {
  const abc = sha256(Uint8Array.of(0x61), Uint8Array.of(0x62, 0x63));
  const want = nobleSha256(Uint8Array.of(0x61, 0x62, 0x63));
  if (abc.length !== 32 || abc.some((b, i) => b !== want[i]))
    throw new Error("rfc9162Hasher: the SHA-256 implementation gives wrong digests");
  return {
    digest: sha256,
    hashLeaf: (data) => sha256(LEAF_PREFIX, data),
    hashChildren: (left, right) => sha256(NODE_PREFIX, left, right),
    emptyRoot: () => EMPTY_DIGEST.slice(),
  };
}

/** The pure-JS hasher (@noble/hashes): the default of every function that takes a hasher. */
export const defaultHasher: LogHasher = rfc9162Hasher((...parts) =>
  nobleSha256(parts.length === 1 ? parts[0]! : concatBytes(...parts)),
);

/** SHA-256 digest (32 bytes) of `b`. */
export function sha256(b: Uint8Array, hasher: LogHasher = defaultHasher): Uint8Array {
  return hasher.digest(b);
}

/** RFC 9162 leaf hash: SHA-256(0x00 || data). */
export function hashLeaf(data: Uint8Array, hasher: LogHasher = defaultHasher): Uint8Array {
  return hasher.hashLeaf(data);
}

/** RFC 9162 interior node hash: SHA-256(0x01 || left || right). Order matters. */
export function hashChildren(left: Uint8Array, right: Uint8Array, hasher: LogHasher = defaultHasher): Uint8Array {
  return hasher.hashChildren(left, right);
}

/**
 * Root hash of the empty tree, SHA-256("") (RFC 9162 §2.1.1).
 * Shared constant: never mutate it; functions in this module hand out copies.
 */
export const EMPTY_ROOT: Uint8Array = EMPTY_DIGEST.slice();

/**
 * Leaf hash of a log entry (SPEC §2): SHA-256(0x00 || UTF-8(JCS(entry))).
 * Invariant: throws (via canonicalJson) on anything outside the JSON data model, so an
 * entry with an `undefined` field cannot hash as if the field were absent.
 */
export function entryLeafHash(entry: object, hasher: LogHasher = defaultHasher): Uint8Array {
  return hasher.hashLeaf(utf8(canonicalJson(entry)));
}
