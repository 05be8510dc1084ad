import "server-only";

/**
 * Token bucket per key: `rate` tokens (events) per second, up to `burst`.
 * In memory, per process — a limit that protects this instance, not a quota.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** Takes n tokens, or returns the whole seconds to wait before n are there. */
  take(key: string, n: number, now = Date.now()): { ok: true } | { ok: false; retryAfter: number } {
    if (this.rate <= 0) return { ok: true };
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    const need = Math.min(n, this.burst);
    if (b.tokens >= need) {
      b.tokens -= need;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((need - b.tokens) / this.rate)) };
  }
}
