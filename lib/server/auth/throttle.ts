import "server-only";
import type { SqlDriver } from "../db/driver.ts";

// Sign-in throttling: at most `limit` attempts per account and per client IP in
// a 15-minute window, so neither guessing one account from many IPs nor many
// accounts from one IP gets far.
//
// Every attempt is counted BEFORE its password is checked, by one atomic upsert
// in the shared database, and refunded only once it succeeded. So parallel
// guesses cannot all slip in before the first failure is noted, the encoding of
// the request does not matter (next-auth parses it; this runs in `authorize`),
// and every instance on one PostgreSQL database draws on the same budget.
// Windows are fixed (they start at a key's first attempt), not sliding.

export type ThrottleLimit = { limit: number; windowMs: number };

/** 5 attempts per account, 20 per IP, per 15 minutes (successes are refunded). */
export const SIGN_IN_LIMITS: { account: ThrottleLimit; ip: ThrottleLimit } = {
  account: { limit: 5, windowMs: 15 * 60_000 },
  ip: { limit: 20, windowMs: 15 * 60_000 },
};

const COUNT_SQL = `INSERT INTO sign_in_attempts (key, window_start, attempts) VALUES (?, ?, 1)
  ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN sign_in_attempts.window_start <= ? THEN 1 ELSE sign_in_attempts.attempts + 1 END,
    window_start = CASE WHEN sign_in_attempts.window_start <= ? THEN excluded.window_start
                        ELSE sign_in_attempts.window_start END
  RETURNING attempts, window_start`;

/**
 * One statement, atomic on its own. On SQLite it runs on the writer connection:
 * a write on the reader connection would wait for the lock in SQLite's busy
 * handler, which sleeps the whole event loop. On PostgreSQL the row lock of the
 * upsert serializes concurrent attempts; no global lock is taken.
 */
async function write<T>(db: SqlDriver, fn: (d: SqlDriver) => Promise<T>): Promise<T> {
  return db.dialect === "sqlite" ? db.writeTransaction(fn) : fn(db);
}

async function count(db: SqlDriver, key: string, l: ThrottleLimit, now: number) {
  const row = await write(db, (d) =>
    d.get<{ attempts: number | string; window_start: number | string }>(COUNT_SQL, [
      key,
      now,
      now - l.windowMs,
      now - l.windowMs,
    ]),
  );
  const attempts = Number(row!.attempts);
  const windowStart = Number(row!.window_start);
  if (attempts === 1) {
    // A new window: drop rows whose windows ended long ago (one indexed DELETE now and then).
    await write(db, (d) =>
      d.run("DELETE FROM sign_in_attempts WHERE window_start < ?", [now - 2 * SIGN_IN_LIMITS.ip.windowMs]),
    );
  }
  return {
    allowed: attempts <= l.limit,
    retryAfter: Math.max(1, Math.ceil((windowStart + l.windowMs - now) / 1000)),
  };
}

const refund = (db: SqlDriver, key: string) =>
  write(db, (d) => d.run("UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = ? AND attempts > 0", [key]));

export type SignInHold =
  | {
      ok: true;
      /** The password was right: the account's budget starts afresh, the IP gets this attempt back. */
      succeeded(): Promise<void>;
    }
  | { ok: false; retryAfter: number; over: "account" | "ip" };

/**
 * Counts one credentials attempt against the account and the client IP (when
 * known) before anything is verified; refuses it when either budget is spent.
 * A refused attempt costs the other budget nothing.
 */
export async function holdSignInAttempt(
  db: SqlDriver,
  who: { account: string; ip?: string },
  now = Date.now(),
  limits = SIGN_IN_LIMITS,
): Promise<SignInHold> {
  const accountKey = `account:${who.account}`;
  const ipKey = who.ip ? `ip:${who.ip}` : null;
  const a = await count(db, accountKey, limits.account, now);
  if (!a.allowed) return { ok: false, retryAfter: a.retryAfter, over: "account" };
  if (ipKey) {
    const i = await count(db, ipKey, limits.ip, now);
    if (!i.allowed) {
      await refund(db, accountKey);
      return { ok: false, retryAfter: i.retryAfter, over: "ip" };
    }
  }
  return {
    ok: true,
    async succeeded() {
      await write(db, (d) => d.run("DELETE FROM sign_in_attempts WHERE key = ?", [accountKey]));
      if (ipKey) await refund(db, ipKey);
    },
  };
}

/** The `error` next-auth puts in its answer when `authorize` throws this message. */
export const THROTTLED_ERROR = "TooManyAttempts";

/** Thrown from `authorize`: next-auth answers 401 with `error=TooManyAttempts:<s>`, which the route turns into 429. */
export class SignInThrottled extends Error {
  constructor(readonly retryAfter: number) {
    super(`${THROTTLED_ERROR}:${retryAfter}`);
  }
}
