import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { recordAudit } from "../audit/audit-trail.ts";
import type { OidcConfig } from "../config.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { verifyPassword } from "./passwords.ts";
import { isRole, type Role } from "./permissions.ts";
import { resolveAuthSecret } from "./secret.ts";
import type { SignInThrottles } from "./throttle.ts";

// next-auth 4 (the stable line; v5 is still a beta) with JWT sessions. The JWT
// only says WHO signed in (user id + session version); the session callback
// re-reads the user on every request, so a role change, a disabled account or
// a password reset applies on the user's next request, never at token expiry.

export const SIGN_IN_TARGET = { id: "ledgerline://dashboard/sign-in", type: "dashboard" };

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(1024) });

type Token = { uid?: string; sv?: number; email?: string | null };

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

export function ipFromHeaders(headers: unknown): string | undefined {
  const raw = headerOf(headers, "x-forwarded-for")?.split(",")[0]?.trim();
  if (!raw) return undefined;
  const ip = raw.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return /^[0-9a-fA-F:.]{2,45}$/.test(ip) ? ip : undefined;
}

/** The first role whose claim value the identity carries ("*" matches anyone). */
export function roleFromClaims(claims: Record<string, unknown>, oidc: OidcConfig): Role | null {
  const raw = claims[oidc.roleClaim];
  const values = new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String));
  for (const { value, role } of oidc.roleMap) if (value === "*" || values.has(value)) return role;
  return null;
}

/** What next-auth needs from the Runtime: the ledger and its sign-in throttles. */
export type AuthRuntime = Ledger & { signIn: SignInThrottles };

/** next-auth's options and route handler, built once per Runtime on first use (they need the ledger's secret). */
export type AuthCache = { options?: AuthOptions; handler?: unknown };

export function buildAuthOptions(ledger: AuthRuntime): AuthOptions {
  const { config } = ledger;
  if (!config.production && !process.env.NEXTAUTH_URL) {
    // Local use: derive callback URLs from the request's Host. Production must
    // pin NEXTAUTH_URL (https), which also turns on __Secure- cookies.
    process.env.AUTH_TRUST_HOST ??= "1";
  }
  const audit = (
    actor: string,
    ip: string | undefined,
    outcome: "success" | "failure" | "denied",
    action: string,
    reason?: string,
  ) =>
    recordAudit(
      ledger,
      { id: actor, ip },
      { action, eventType: "authenticate", outcome, target: SIGN_IN_TARGET, reason },
    ).catch((e) => console.error(`[ledgerline] could not record ${action} of ${actor}: ${(e as Error).message}`));

  const providers: AuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials ?? {});
        const ip = ipFromHeaders(req?.headers);
        const email = parsed.success ? parsed.data.email : "";
        const user = email ? await ledger.prisma.user.findUnique({ where: { email } }) : null;
        // Always run the hash, also for unknown accounts: same time, same answer.
        const ok = await verifyPassword(parsed.success ? parsed.data.password : "", user?.passwordHash);
        const t = ledger.signIn;
        if (!user || !ok) {
          t.account.fail(email);
          if (ip) t.ip.fail(ip);
          await audit(email || "unknown", ip, "failure", "sign-in", user ? "wrong password" : "unknown account");
          return null;
        }
        if (user.disabledAt) {
          await audit(user.email, ip, "denied", "sign-in", "account disabled");
          return null;
        }
        t.account.reset(email);
        await audit(user.email, ip, "success", "sign-in", "password");
        return { id: user.id, email: user.email, name: user.name };
      },
    }),
  ];
  const oidc = config.oidc;
  if (oidc) {
    providers.push({
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
    });
  }

  return {
    secret: resolveAuthSecret(config),
    session: { strategy: "jwt", maxAge: 8 * 60 * 60, updateAge: 15 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc" || !oidc) return true;
        // Single sign-on: the identity provider's claims decide the role at every sign-in.
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
      },
      async jwt({ token, user }) {
        const t = token as typeof token & Token;
        if (user?.email) {
          const u = await ledger.prisma.user.findUnique({ where: { email: user.email.toLowerCase() } });
          if (u) {
            t.uid = u.id;
            t.sv = u.sessionVersion;
          }
        }
        return t;
      },
      async session({ session, token }) {
        const t = token as Token;
        const u = t.uid ? await ledger.prisma.user.findUnique({ where: { id: t.uid } }) : null;
        // Disabled, deleted, password reset since sign-in, or an unknown role: no user.
        if (!u || u.disabledAt || u.sessionVersion !== t.sv || !isRole(u.role))
          return { expires: session.expires } as typeof session;
        return { ...session, user: { id: u.id, email: u.email, name: u.name, role: u.role } } as typeof session;
      },
    },
    events: {
      async signOut({ token }) {
        const email = (token as Token | undefined)?.email;
        if (email) await audit(email, undefined, "success", "sign-out");
      },
    },
  };
}
