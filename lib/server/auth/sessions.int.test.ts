import type { Session } from "next-auth";
import type { JWT } from "next-auth/jwt";
import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger } from "@/test/support/stores.ts";
import { DASHBOARD_SOURCE } from "../audit/audit-trail.ts";
import type { Runtime as Ledger } from "../runtime/runtime.ts";
import { createUser } from "./users.ts";
import { buildAuthOptions } from "./options.ts";
import { systemPrincipal } from "./principal.ts";
import { SESSION_MAX_AGE_S } from "./sessions.ts";

// Security regression (issue 13, item 5): sign-out only deleted the browser's
// cookie; a copy taken before still got /api/v1/me → 200 for up to 8 h. The
// session checks below are next-auth's own callbacks, as the server runs them.

async function signInToken(ledger: Ledger, email: string): Promise<JWT> {
  const cb = buildAuthOptions(ledger).callbacks!;
  return (await cb.jwt!({
    token: { email },
    user: { id: "x", email },
    account: null,
    trigger: "signIn",
  } as Parameters<NonNullable<typeof cb.jwt>>[0])) as JWT;
}

async function sessionUser(ledger: Ledger, token: JWT): Promise<string | null> {
  const cb = buildAuthOptions(ledger).callbacks!;
  const s = (await cb.session!({
    session: { expires: new Date(Date.now() + 3600_000).toISOString() } as Session,
    token,
  } as Parameters<NonNullable<typeof cb.session>>[0])) as Session;
  return s.user?.email ?? null;
}

describe.each(DIALECTS)("sessions on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("sign-out ends that session server-side, not the user's other sessions, and is audited", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const { ledger } = t;
    await createUser(ledger, systemPrincipal("fixture@test"), {
      email: "auditor@example.test",
      role: "auditor",
      password: "a-long-enough-password",
    });
    const laptop = await signInToken(ledger, "auditor@example.test");
    const phone = await signInToken(ledger, "auditor@example.test");
    expect(laptop.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(laptop.sid).not.toBe(phone.sid);
    expect(await sessionUser(ledger, laptop)).toBe("auditor@example.test");

    await buildAuthOptions(ledger).events!.signOut!({ token: laptop, session: undefined as never });
    expect(await sessionUser(ledger, laptop)).toBeNull();
    expect(await sessionUser(ledger, phone)).toBe("auditor@example.test");
    const [row] = await ledger.prisma.endedSession.findMany();
    expect(row).toMatchObject({ sessionId: laptop.sid, userId: laptop.uid });
    const last = await ledger.db.get<{ action: string; requester_id: string; source: string }>(
      "SELECT action, requester_id, source FROM entries ORDER BY seq DESC LIMIT 1",
    );
    expect(last).toEqual({ action: "sign-out", requester_id: "auditor@example.test", source: DASHBOARD_SOURCE });
    // Signing out twice (a replayed request) changes nothing.
    await buildAuthOptions(ledger).events!.signOut!({ token: laptop, session: undefined as never });
    expect(await ledger.prisma.endedSession.count()).toBe(1);
  });

  it("refuses tokens without a session id and sessions past their maximum age; expired records go", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const { ledger } = t;
    await createUser(ledger, systemPrincipal("fixture@test"), {
      email: "analyst@example.test",
      role: "analyst",
      password: "a-long-enough-password",
    });
    const token = await signInToken(ledger, "analyst@example.test");
    // A token issued before session ids existed (or forged without one).
    expect(await sessionUser(ledger, { ...token, sid: undefined })).toBeNull();
    // However often it was refreshed, a session ends SESSION_MAX_AGE_S after its sign-in.
    const old = { ...token, at: Math.floor(Date.now() / 1000) - SESSION_MAX_AGE_S - 1 };
    expect(await sessionUser(ledger, old)).toBeNull();
    expect(await sessionUser(ledger, token)).toBe("analyst@example.test");
    // Ending the old one stores a record already past its use; the next sign-out drops it.
    await buildAuthOptions(ledger).events!.signOut!({ token: old, session: undefined as never });
    await buildAuthOptions(ledger).events!.signOut!({ token, session: undefined as never });
    expect((await ledger.prisma.endedSession.findMany()).map((r) => r.sessionId)).toEqual([token.sid]);
  });
});
