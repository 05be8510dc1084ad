import "server-only";

// Sign-in throttling: at most `limit` failures per key in a sliding window,
// keyed separately by account and by client IP, so neither guessing one
// account from many IPs nor many accounts from one IP gets far. Per process.

export class FailureThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
  }

  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}

export type SignInThrottles = { account: FailureThrottle; ip: FailureThrottle };

/** 5 failures per account, 20 per IP, in 15 minutes; one pair per Runtime (lib/server/runtime/runtime.ts). */
export function createSignInThrottles(): SignInThrottles {
  return {
    account: new FailureThrottle(5, 15 * 60_000),
    ip: new FailureThrottle(20, 15 * 60_000),
  };
}
