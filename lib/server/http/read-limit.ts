import "server-only";
import type { Principal } from "../auth/principal.ts";
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import { RateLimiter } from "../ingest/rate-limit.ts";

// Authenticated reads of the API (GET/HEAD with a read token or a session) are
// limited per principal — per user, whichever token or session they use — so one
// script cannot flood the server, nor the log with the meta-audit entries reads
// write. Per process: several instances each allow the configured rate.

/** The read limiter of one Runtime (lib/server/runtime/runtime.ts). */
export function createReadLimiter(config: Config): RateLimiter {
  return new RateLimiter(config.readRateLimit / 60, config.readRateBurst);
}

/** The bucket a principal draws from: the user, not the credential. */
export function readLimitKey(p: Principal): string {
  return p.kind === "user" ? `user:${p.userId}` : `system:${p.email}`;
}

/** Throws 429 (with Retry-After) when `p` is past its read rate; a no-op when the limit is 0. */
export function assertReadAllowed(config: Config, p: Principal, limiter: RateLimiter, now = Date.now()): void {
  if (config.readRateLimit <= 0) return;
  const r = limiter.take(readLimitKey(p), 1, now);
  if (!r.ok) {
    throw new AppError(
      "rate_limited",
      `Too many reads: at most ${config.readRateLimit} per minute (bursts of ${config.readRateBurst}) per user. Retry after ${r.retryAfter} s.`,
      { retryAfter: r.retryAfter },
    );
  }
}
