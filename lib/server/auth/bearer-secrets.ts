import "server-only";
import crypto from "node:crypto";
import { randomToken } from "../db/ids.ts";

// Bearer secrets (ingest keys `llk_…`, personal read tokens `llr_…`) share one
// shape: <prefix>_<12-char public id>_<256 random bits, base64url>. The public
// id locates the row; only a SHA-256 of the whole secret is stored (256 random
// bits need no slow hash), compared in constant time.

export function newBearerSecret(prefix: string): { id: string; secret: string; hash: string } {
  const id = crypto
    .randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  const secret = `${prefix}_${id}_${randomToken(32)}`;
  return { id, secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("hex");
}

/** The public id of a well-formed secret with this prefix, else null. */
export function bearerSecretId(prefix: string, secret: string): string | null {
  const m = new RegExp(`^${prefix}_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$`).exec(secret);
  return m?.[1] ?? null;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * last_used_at is for humans: true at most once a minute per secret id, so a
 * busy key costs one UPDATE a minute, not one per request.
 */
export function dueForLastUsed(id: string, now = Date.now()): boolean {
  if ((lastUsedWritten.get(id) ?? 0) >= now - 60_000) return false;
  lastUsedWritten.set(id, now);
  return true;
}
const lastUsedWritten = new Map<string, number>();

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: Request): string | null {
  const h = req.headers.get("authorization");
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1] ?? null;
}
