import crypto from "node:crypto";
import { rfc9162Hasher, type LogHasher } from "@/lib/core/hash.ts";

// Node's native SHA-256 as lib/core's tree hasher (~3× faster per log entry than the pure
// default, same digests — rfc9162Hasher checks). lib/core takes no Node import, so the
// server and the CLI pass this in explicitly wherever they hash in bulk.

export const nodeHasher: LogHasher = rfc9162Hasher((...parts) => {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
});
