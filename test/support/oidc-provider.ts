// A real OpenID Provider for the tests: `oidc-provider` (panva, v9) on
// http://127.0.0.1:<free port>, with one confidential client and the package's
// built-in development interactions — a login form where any password is
// accepted and the login field is the account id, then a consent screen
// ("Continue"). Used by scripts/e2e.ts for the single sign-on journey.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type OidcTestAccount = { email: string; name: string; groups: string[] };

export type OidcTestProvider = { issuer: string; clientId: string; clientSecret: string; stop(): Promise<void> };

// oidc-provider ships no types (they live in @types/oidc-provider, not
// installed); this is the sliver of its API used here.
type ProviderInstance = {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): void;
};
type ProviderCtor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

/** The provider's configuration: one confidential client, a fresh signing key, claims by scope. */
function providerConfig(
  opts: { redirectUris: string[]; accounts: Record<string, OidcTestAccount> },
  clientId: string,
  clientSecret: string,
): Record<string, unknown> {
  // A fresh signing key per run (otherwise the package signs with a published development key).
  const signingKey = {
    ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
    kid: "e2e",
    use: "sig",
    alg: "RS256",
  };
  return {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris, // http on a loopback address is fine for the code flow of a web client
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic", // openid-client's default, so next-auth 4's
        id_token_signed_response_alg: "RS256",
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString("base64url")] },
    pkce: { required: () => true },
    // Each key of `claims` is also a scope; `groups` is a custom one.
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    // Put the scope-released claims into the ID token too (next-auth 4 with
    // `idToken: true` reads the profile from the ID token, not userinfo).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 }, // seconds
    async findAccount(_ctx: unknown, sub: string) {
      const account = opts.accounts[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: true, name: account.name, groups: account.groups };
        },
      };
    },
    async renderError(ctx: { type: string; body: string }, out: Record<string, unknown>) {
      ctx.type = "html";
      ctx.body = `<!doctype html><title>oidc error</title><pre id="oidc-error">${escapeHtml(JSON.stringify(out, null, 2))}</pre>`;
    },
  };
}

function logProviderErrors(provider: ProviderInstance, log: (message: string) => void): void {
  for (const event of ["server_error", "authorization.error", "grant.error", "userinfo.error", "end_session.error"]) {
    provider.on(event, (...args: unknown[]) => {
      const err = args.find((a): a is Error => a instanceof Error);
      log(
        `oidc-provider ${event}: ${err ? `${err.message} ${(err as Error & { error_description?: string }).error_description ?? ""}` : ""}`,
      );
    });
  }
}

/**
 * Starts the provider. Every account in `accounts` can sign in by typing its
 * key (the account id, which is also the `sub`) with any password. The
 * `email`, `name` and `groups` claims are released for the `email`, `profile`
 * and `groups` scopes, and put into the ID token as well as userinfo.
 */
export async function startOidcProvider(opts: {
  redirectUris: string[];
  accounts: Record<string, OidcTestAccount>;
  log?: (message: string) => void;
}): Promise<OidcTestProvider> {
  // A variable specifier: TypeScript types it `any` instead of failing on the missing declarations.
  const specifier = "oidc-provider";
  const { default: Provider } = (await import(specifier)) as { default: ProviderCtor };

  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "ledgerline-e2e";
  const clientSecret = crypto.randomBytes(24).toString("base64url");
  const provider = new Provider(issuer, providerConfig(opts, clientId, clientSecret));
  if (opts.log) logProviderErrors(provider, opts.log);
  server.on("request", provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
