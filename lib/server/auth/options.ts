import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { safeRedirectUrl } from "@/lib/schemas/callback-path.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { recordRepeatableAudit, type AuditRuntime } from "../audit/audit-repeats.ts";
import type { OidcConfig } from "../config.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { clientIp } from "./client-ip.ts";
import { verifyPassword } from "./passwords.ts";
import { isRole, type Role } from "./permissions.ts";
import { resolveAuthSecret } from "./secret.ts";
import { endSession, isSessionEnded, newSessionId, SESSION_MAX_AGE_S, sessionExpired } from "./sessions.ts";
import { holdSignInAttempt, SignInThrottled } from "./throttle.ts";

// next-auth 4 (the stable line; v5 is still a beta) with JWT sessions. The JWT
// only says WHO signed in (user id + session version); the session callback
// re-reads the user on every request, so a role change, a disabled account or
// a password reset applies on the user's next request, never at token expiry.

export const SIGN_IN_TARGET = { id: "ledgerline://dashboard/sign-in", type: "dashboard" };

/** The `error` a sign-in gets when the store cannot count the attempt (the form says to retry). */
export const STORE_UNAVAILABLE = "StoreUnavailable";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(1024) });

/** uid + session version say who; sid + at (sign-in time, s) say which session (lib/server/auth/sessions.ts). */
type Token = { uid?: string; sv?: number; sid?: string; at?: number; email?: string | null };

/** The first role whose claim value the identity carries ("*" matches anyone). */
export function roleFromClaims(claims: Record<string, unknown>, oidc: OidcConfig): Role | null {
  const raw = claims[oidc.roleClaim];
  const values = new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String));
  for (const { value, role } of oidc.roleMap) if (value === "*" || values.has(value)) return role;
  return null;
}

/** What next-auth needs from the Runtime: the ledger and the repeat windows of its meta-audit. */
export type AuthRuntime = AuditRuntime;

/** next-auth's options and route handler, built once per Runtime on first use (they need the ledger's secret). */
export type AuthCache = { options?: AuthOptions; handler?: unknown };

/** Records a sign-in or sign-out in the meta-audit; a failure to record is logged, never thrown at the user. */
type SignInAudit = (
  actor: string,
  ip: string | undefined,
  outcome: "success" | "failure" | "denied",
  action: string,
  reason?: string,
) => Promise<unknown>;

export function buildAuthOptions(ledger: AuthRuntime): AuthOptions {
  const { config } = ledger;
  if (!config.production && !process.env.NEXTAUTH_URL) {
    // Local use: derive callback URLs from the request's Host. Production must
    // pin NEXTAUTH_URL (https), which also turns on __Secure- cookies.
    process.env.AUTH_TRUST_HOST ??= "1";
  }
  const audit: SignInAudit = (actor, ip, outcome, action, reason) =>
    recordAudit(
      ledger,
      { id: actor, ip },
      { action, eventType: "authenticate", outcome, target: SIGN_IN_TARGET, reason },
    ).catch((e) => console.error(`[ledgerline] could not record ${action} of ${actor}: ${(e as Error).message}`));

  const providers: AuthOptions["providers"] = [credentialsProvider(ledger, audit)];
  if (config.oidc) providers.push(oidcProvider(config.oidc));
  return {
    secret: resolveAuthSecret(config),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S, updateAge: 15 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers,
    callbacks: authCallbacks(ledger, audit),
    events: authEvents(ledger, audit),
  };
}

function credentialsProvider(ledger: AuthRuntime, audit: SignInAudit): AuthOptions["providers"][number] {
  return CredentialsProvider({
    id: "credentials",
    name: "Email and password",
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    // Every credentials attempt passes here, whatever its encoding (next-auth parses
    // form and JSON bodies alike), so this is where it is counted — before the password
    // is checked — and refused past its budget (SignInThrottled → 429 in the route).
    async authorize(credentials, req) {
      const parsed = credentialsSchema.safeParse(credentials ?? {});
      const ip = clientIp(req?.headers as Record<string, string> | undefined, ledger.config.trustProxy);
      const email = parsed.success ? parsed.data.email : "";
      const hold = await holdOrRefuse(ledger, email, ip);
      const user = email ? await ledger.prisma.user.findUnique({ where: { email } }) : null;
      // Always run the hash, also for unknown accounts: same time, same answer.
      const ok = await verifyPassword(parsed.success ? parsed.data.password : "", user?.passwordHash);
      if (!user || !ok) {
        await audit(email || "unknown", ip, "failure", "sign-in", user ? "wrong password" : "unknown account");
        return null;
      }
      if (user.disabledAt) {
        await audit(user.email, ip, "denied", "sign-in", "account disabled");
        return null;
      }
      await hold.succeeded();
      await audit(user.email, ip, "success", "sign-in", "password");
      return { id: user.id, email: user.email, name: user.name };
    },
  });
}

/** Counts the attempt against its budget; throws StoreUnavailable or SignInThrottled when it may not go on. */
async function holdOrRefuse(ledger: AuthRuntime, email: string, ip: string | undefined) {
  let hold: Awaited<ReturnType<typeof holdSignInAttempt>>;
  try {
    hold = await holdSignInAttempt(ledger.db, { account: email, ip });
  } catch (e) {
    // next-auth would put the message in its answer's URL: log it, say only what to do.
    console.error(`[ledgerline] sign-in of ${email} not checked, the store failed: ${(e as Error).message}`);
    throw new Error(STORE_UNAVAILABLE);
  }
  if (hold.ok) return hold;
  // One entry per throttled account + IP and window, then a count of the rest.
  await recordRepeatableAudit(
    ledger,
    { id: email || "unknown", ip },
    {
      action: "sign-in",
      eventType: "authenticate",
      outcome: "denied",
      target: SIGN_IN_TARGET,
      reason: `too many attempts (throttled per ${hold.over === "ip" ? "IP address" : "account"})`,
    },
    Math.max(ledger.config.readAuditWindowMs, 60_000),
  ).catch((e) =>
    console.error(`[ledgerline] could not record a throttled sign-in of ${email}: ${(e as Error).message}`),
  );
  throw new SignInThrottled(hold.retryAfter);
}

function oidcProvider(oidc: OidcConfig): AuthOptions["providers"][number] {
  return {
    id: "oidc",
    name: oidc.name,
    type: "oauth",
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: oidc.scope } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile: Record<string, unknown>) {
      return {
        id: String(profile.sub),
        email: String(profile.email ?? "").toLowerCase(),
        name: (profile.name as string) ?? null,
      };
    },
  };
}

function authCallbacks(ledger: AuthRuntime, audit: SignInAudit): AuthOptions["callbacks"] {
  const oidc = ledger.config.oidc;
  return {
    // After sign-in and sign-out: only a path of this origin (lib/schemas/callback-path.ts).
    redirect({ url, baseUrl }) {
      return safeRedirectUrl(url, baseUrl);
    },
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc" || !oidc) return true;
      return oidcSignIn(ledger, audit, oidc, user, profile);
    },
    async jwt({ token, user }) {
      const t = token as typeof token & Token;
      if (user?.email) {
        const u = await ledger.prisma.user.findUnique({ where: { email: user.email.toLowerCase() } });
        if (u) {
          t.uid = u.id;
          t.sv = u.sessionVersion;
          t.sid = newSessionId();
          t.at = Math.floor(Date.now() / 1000);
        }
      }
      return t;
    },
    async session({ session, token }) {
      const t = token as Token;
      const live = !!t.uid && !!t.sid && typeof t.at === "number" && !sessionExpired(t.at);
      const [u, ended] = live
        ? await Promise.all([ledger.prisma.user.findUnique({ where: { id: t.uid } }), isSessionEnded(ledger, t.sid!)])
        : [null, true];
      // Signed out, past its maximum age, from before session ids, disabled, deleted,
      // password reset since sign-in, or an unknown role: no user.
      if (!u || ended || u.disabledAt || u.sessionVersion !== t.sv || !isRole(u.role))
        return { expires: session.expires } as typeof session;
      return { ...session, user: { id: u.id, email: u.email, name: u.name, role: u.role } } as typeof session;
    },
  };
}

/** Single sign-on: the identity provider's claims decide the role at every sign-in. */
async function oidcSignIn(
  ledger: AuthRuntime,
  audit: SignInAudit,
  oidc: OidcConfig,
  user: { email?: string | null; name?: string | null },
  profile: unknown,
): Promise<string | true> {
  const email = String(user.email ?? "").toLowerCase();
  const role = roleFromClaims((profile ?? {}) as Record<string, unknown>, oidc);
  if (!email) {
    await audit("unknown", undefined, "denied", "sign-in", "single sign-on identity has no email claim");
    return "/login?error=NoEmail";
  }
  if (!role) {
    await audit(email, undefined, "denied", "sign-in", `no role mapped from claim ${oidc.roleClaim}`);
    return "/login?error=NoRole";
  }
  if ((profile as { email_verified?: unknown } | undefined)?.email_verified === false) {
    await audit(email, undefined, "denied", "sign-in", "single sign-on email is not verified");
    return "/login?error=AccessDenied";
  }
  const existing = await ledger.prisma.user.findUnique({ where: { email } });
  // An IdP asserting the email of a password account must not take it over.
  if (existing && existing.authProvider !== "oidc") {
    await audit(
      email,
      undefined,
      "denied",
      "sign-in",
      "a password account with this email exists; single sign-on is not linked to it",
    );
    return "/login?error=AccessDenied";
  }
  if (existing?.disabledAt) {
    await audit(email, undefined, "denied", "sign-in", "account disabled");
    return "/login?error=Disabled";
  }
  const now = nowIso();
  if (existing) {
    if (existing.role !== role)
      await ledger.prisma.user.update({ where: { id: existing.id }, data: { role, updatedAt: now } });
  } else {
    await ledger.prisma.user.create({
      data: {
        id: uuidv7(),
        email,
        name: user.name ?? null,
        role,
        passwordHash: null,
        authProvider: "oidc",
        createdAt: now,
        updatedAt: now,
      },
    });
  }
  await audit(email, undefined, "success", "sign-in", `single sign-on as ${role}`);
  return true;
}

function authEvents(ledger: AuthRuntime, audit: SignInAudit): AuthOptions["events"] {
  return {
    // Ends this session server-side (a copy of its cookie stops working), not the user's others.
    async signOut({ token }) {
      const t = (token ?? {}) as Token;
      if (t.sid && t.uid && typeof t.at === "number") {
        await endSession(ledger, { sessionId: t.sid, userId: t.uid, authTime: t.at }).catch((e) =>
          console.error(
            `[ledgerline] could not end session of ${t.email ?? t.uid} at sign-out (it stays valid until it expires; reset the password to end it): ${(e as Error).message}`,
          ),
        );
      }
      if (t.email) await audit(t.email, undefined, "success", "sign-out");
    },
  };
}
