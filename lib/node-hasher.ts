import crypto from "node:crypto";
import { rfc9162Hasher, type LogHasher } from "@/lib/core/hash.ts";

// Node's native SHA-256 as lib/core's tree hasher (~3× faster per log entry than the pure
// default, same digests — rfc9162Hasher checks). lib/core takes no Node import, so the
// server and the CLI pass this in explicitly wherever they hash in bulk.

// One-shot `crypto.hash` (Node ≥ 20.12) over the joined parts: a tree node is 65 bytes, and
// building a Hash object per node cost three times the hashing (5.0 vs 1.5 µs a node).
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: "buffer") => Buffer }).hash;

function sha256(parts: Uint8Array[]): Uint8Array {
  if (!oneShot) {
    const h = crypto.createHash("sha256");
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  }
  if (parts.length === 1) return new Uint8Array(oneShot("sha256", parts[0]!, "buffer"));
  let n = 0;
  for (const p of parts) n += p.length;
  const joined = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    joined.set(p, n);
    n += p.length;
  }
  return new Uint8Array(oneShot("sha256", joined, "buffer"));
}

export const nodeHasher: LogHasher = rfc9162Hasher((...parts) => sha256(parts));
