// ledgerline tokens create | list | revoke — personal read tokens acting as their user.
import { createReadToken, listReadTokens, revokeReadToken } from "@/lib/server/auth/read-tokens.ts";
import { UsageError, lines, oneArg, operator, print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

export const tokensCommand: CommandGroup = {
  name: "tokens",
  usage: `  tokens create --email <email> [--name <name>] [--scope <scope>]... [--json]
                         a personal read token acting with the user's role (printed once);
                         it reads (events:read); --scope bundles:create and --scope
                         integrity:run let it also export bundles / start full passes,
                         if the user's role allows them
  tokens list [--json]   list personal read tokens (never their secrets)
  tokens revoke <id> [--json]
                         revoke a personal read token`,
  options: { email: { type: "string" }, name: { type: "string" }, scope: { type: "string", multiple: true } },
  subcommands: {
    async create(line) {
      const email = stringOption(line, "email");
      if (!email) throw new UsageError("tokens create needs --email <email> of the user the token acts as");
      const raw = line.values.scope;
      const scopes = (Array.isArray(raw) ? raw.map(String) : [])
        .flatMap((s) => s.split(","))
        .map((s) => s.trim())
        .filter(Boolean);
      const t = await withLedger((l) => createReadToken(l, operator(), email, stringOption(line, "name"), scopes));
      print(
        line.out,
        t,
        `Read token ${t.id} for ${t.email} (acts with their current role; scopes ${t.scopes.join(", ")}) — shown once, store it now:\n\n  ${t.token}\n`,
      );
      return 0;
    },
    async list(line) {
      const tokens = await withLedger((l) => listReadTokens(l, operator()));
      const human = lines(
        tokens,
        (t) =>
          `${t.id}  ${t.revokedAt ? "revoked " : "active  "} ${t.userEmail}${t.name ? ` "${t.name}"` : ""}  scopes ${t.scopes.join(",")}  created ${t.createdAt}  last used ${t.lastUsedAt ?? "never"}`,
        "No read tokens. Create one with: ledgerline tokens create --email <email>",
      );
      print(line.out, tokens, human);
      return 0;
    },
    async revoke(line) {
      const id = oneArg(line.rest, "tokens revoke needs the token id, e.g. ledgerline tokens revoke 3f9a0c1b2d4e");
      await withLedger((l) => revokeReadToken(l, operator(), id));
      print(line.out, { id, revoked: true }, `Revoked read token ${id}; requests with it get 401 from now on.`);
      return 0;
    },
  },
};
