import { describe, expect, it } from "vitest";
import type { Principal } from "../auth/principal.ts";
import { loadConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { RateLimiter } from "../ingest/rate-limit.ts";
import { assertReadAllowed, readLimitKey } from "./read-limit.ts";

// Security regression (issue 13, item 7): 150 GET /api/v1/events with one read
// token were all answered (and each wrote a permanent meta-audit entry); no 429.

const user = (id: string, via: "token" | "session" = "token"): Principal => {
  const base = { kind: "user", userId: id, email: `${id}@example.test`, name: null, role: "analyst" } as const;
  return via === "token" ? { ...base, via, scopes: ["events:read"] } : { ...base, via };
};

function codeOf(fn: () => void): string | number {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return `${e.status} retry ${e.extras.retryAfter}`;
    throw e;
  }
}

describe("read rate per principal", () => {
  it("defaults to 300 a minute in bursts of 100; 429 with Retry-After past it", () => {
    const config = loadConfig({});
    expect([config.readRateLimit, config.readRateBurst]).toEqual([300, 100]);
    const limiter = new RateLimiter(config.readRateLimit / 60, config.readRateBurst);
    const t0 = 1_000_000;
    const results = Array.from({ length: 150 }, () => codeOf(() => assertReadAllowed(config, user("a"), limiter, t0)));
    expect(results.filter((r) => r === "ok")).toHaveLength(100);
    expect(results.at(-1)).toBe("429 retry 1");
    // Another user has a budget of their own; the same user by session shares the token's.
    expect(codeOf(() => assertReadAllowed(config, user("b"), limiter, t0))).toBe("ok");
    expect(codeOf(() => assertReadAllowed(config, user("a", "session"), limiter, t0))).toBe("429 retry 1");
    // 5 a second refill.
    expect(codeOf(() => assertReadAllowed(config, user("a"), limiter, t0 + 1000))).toBe("ok");
  });
  it("is configurable and 0 turns it off", () => {
    const off = loadConfig({ LEDGERLINE_READ_RATE_LIMIT: "0" });
    const limiter = new RateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) assertReadAllowed(off, user("a"), limiter, 0);
    const c = loadConfig({ LEDGERLINE_READ_RATE_LIMIT: "60", LEDGERLINE_READ_RATE_BURST: "2" });
    const l = new RateLimiter(c.readRateLimit / 60, c.readRateBurst);
    expect([0, 0, 0].map(() => codeOf(() => assertReadAllowed(c, user("a"), l, 0)))).toEqual([
      "ok",
      "ok",
      "429 retry 1",
    ]);
    expect(() => loadConfig({ LEDGERLINE_READ_RATE_LIMIT: "-1" })).toThrow(/LEDGERLINE_READ_RATE_LIMIT/);
    expect(readLimitKey(user("a", "session"))).toBe(readLimitKey(user("a", "token")));
  });
});
