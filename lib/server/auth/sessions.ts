import "server-only";
import crypto from "node:crypto";
import type { Ledger } from "../ledger/ledger.ts";

// Sessions are JWT cookies: nothing on the server had to exist for one to be
// valid, so signing out only deleted the browser's copy, and a copy taken
// before (a shared machine, a proxy log, malware) stayed valid for hours. Each
// session now carries its own id and sign-in time; sign-out records the id as
// ended and the per-request session check refuses it. Only that session ends:
// the user's other devices stay signed in (a password reset or disabling the
// account still ends all of them, through the session version).
//
// The rolling JWT (re-issued on use) would let a copied cookie outlive any
// record kept for a fixed time, so a session also ends for good
// SESSION_MAX_AGE_S after its sign-in, however active; an ended-session row is
// then no longer needed and is deleted.

/** Longest life of a session, from its sign-in (also the cookie's idle expiry). */
export const SESSION_MAX_AGE_S = 8 * 60 * 60;

/** 128 random bits, base64url: a session's id inside its signed token. */
export function newSessionId(): string {
  return crypto.randomBytes(16).toString("base64url");
}

/** Whether a session signed in at `authTime` (seconds since the epoch) is past its maximum age. */
export function sessionExpired(authTime: number, now = Date.now()): boolean {
  return !Number.isFinite(authTime) || now / 1000 - authTime > SESSION_MAX_AGE_S || authTime > now / 1000 + 60;
}

/** Records that the session `sessionId` has ended (idempotent); drops rows of sessions that expired anyway. */
export async function endSession(
  ledger: Ledger,
  s: { sessionId: string; userId: string; authTime: number },
  now = new Date(),
): Promise<void> {
  const expiresAt = new Date((s.authTime + SESSION_MAX_AGE_S) * 1000).toISOString();
  await ledger.prisma.endedSession.upsert({
    where: { sessionId: s.sessionId },
    create: { sessionId: s.sessionId, userId: s.userId, endedAt: now.toISOString(), expiresAt },
    update: {},
  });
  await ledger.prisma.endedSession.deleteMany({ where: { expiresAt: { lt: now.toISOString() } } });
}

export async function isSessionEnded(ledger: Ledger, sessionId: string): Promise<boolean> {
  return (await ledger.prisma.endedSession.findUnique({ where: { sessionId }, select: { sessionId: true } })) !== null;
}
