import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger } from "@/test/support/stores.ts";
import { openLedger } from "../ledger/ledger.ts";
import { holdSignInAttempt, SIGN_IN_LIMITS } from "./throttle.ts";

// Security regression (issue 13, item 1): the throttle counted failures only
// after the password was checked, in one process's memory. 9 of 10 parallel
// wrong guesses were checked under a limit of 5, and every instance on a shared
// PostgreSQL had a budget of its own. (JSON-encoded attempts skipping the throttle
// altogether is replayed against a real server: test/security/auth.ts.)

describe.each(DIALECTS)("sign-in throttle on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("counts before verifying: of 10 parallel attempts at one account exactly 5 may proceed", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const holds = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        holdSignInAttempt(t.ledger.db, { account: "victim@example.test", ip: `198.51.100.${i}` }),
      ),
    );
    expect(holds.filter((h) => h.ok)).toHaveLength(5);
    const refused = holds.filter((h) => !h.ok);
    expect(refused.every((h) => !h.ok && h.over === "account" && h.retryAfter > 850 && h.retryAfter <= 900)).toBe(true);
  });

  it("holds across two instances on one store (two connections, as two servers would have)", async () => {
    const t = await freshLedger(dialect);
    const other = await openLedger(t.store.config);
    cleanup = async () => {
      await other.close();
      await t.cleanup();
    };
    const results: boolean[] = [];
    for (let i = 0; i < 6; i++)
      results.push((await holdSignInAttempt((i % 2 ? other : t.ledger).db, { account: "shared@example.test" })).ok);
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it("limits one IP across accounts, refunds successes, and starts afresh after the window", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const db = t.ledger.db;
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 20; i++)
      expect((await holdSignInAttempt(db, { account: `a${i}@x`, ip: "203.0.113.9" }, t0)).ok).toBe(true);
    const over = await holdSignInAttempt(db, { account: "fresh@x", ip: "203.0.113.9" }, t0 + 1000);
    expect(over).toMatchObject({ ok: false, over: "ip", retryAfter: 899 });
    // Refused by the IP, the account was not charged: it still has all 5 attempts.
    for (let i = 0; i < 5; i++) expect((await holdSignInAttempt(db, { account: "fresh@x" }, t0 + 2000)).ok).toBe(true);
    expect((await holdSignInAttempt(db, { account: "fresh@x" }, t0 + 2000)).ok).toBe(false);
    // A success gives the account a fresh budget and the IP its attempt back.
    const ok = await holdSignInAttempt(db, { account: "owner@x", ip: "192.0.2.1" }, t0);
    if (!ok.ok) throw new Error("expected a hold");
    await ok.succeeded();
    const rows = await db.all<{ key: string; attempts: number }>(
      "SELECT key, attempts FROM sign_in_attempts WHERE key IN ('account:owner@x', 'ip:192.0.2.1')",
    );
    expect(rows.map((r) => `${r.key}=${Number(r.attempts)}`)).toEqual(["ip:192.0.2.1=0"]);
    // After 15 minutes the window is new.
    const later = t0 + 1000 + SIGN_IN_LIMITS.account.windowMs; // fresh@x's window began at t0 + 1000
    expect((await holdSignInAttempt(db, { account: "fresh@x" }, later)).ok).toBe(true);
    expect((await holdSignInAttempt(db, { account: "fresh@x", ip: "203.0.113.9" }, later)).ok).toBe(true);
  });
});
