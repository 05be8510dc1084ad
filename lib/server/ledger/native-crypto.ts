import "server-only";
import crypto from "node:crypto";
import { useSha256 } from "@/lib/core/index.ts";

// lib/core hashes with pure-JS SHA-256 so it also runs in a browser; on the
// server, Node's native SHA-256 is ~3× faster per entry. Imported for its effect
// by every server entry point that hashes (the ledger, the verifier).
useSha256((...parts) => {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p);
  return Uint8Array.from(h.digest());
});
