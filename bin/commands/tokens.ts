// ledgerline tokens create | list | revoke — personal read tokens acting as their user.
import { createReadToken, listReadTokens, revokeReadToken } from "@/lib/server/read-tokens.ts";
import { UsageError, lines, oneArg, operator, print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

export const tokensCommand: CommandGroup = {
  name: "tokens",
  usage: `  tokens create --email <email> [--name <name>] [--json]
                         a personal read token acting with the user's role (printed once)
  tokens list [--json]   list personal read tokens (never their secrets)
  tokens revoke <id> [--json]
                         revoke a personal read token`,
  options: { email: { type: "string" }, name: { type: "string" } },
  subcommands: {
    async create(line) {
      const email = stringOption(line, "email");
      if (!email) throw new UsageError("tokens create needs --email <email> of the user the token acts as");
      const t = await withLedger((l) => createReadToken(l, operator(), email, stringOption(line, "name")));
      print(
        line.out,
        t,
        `Read token ${t.id} for ${t.email} (acts with their current role) — shown once, store it now:\n\n  ${t.token}\n`,
      );
      return 0;
    },
    async list(line) {
      const tokens = await withLedger((l) => listReadTokens(l, operator()));
      const human = lines(
        tokens,
        (t) =>
          `${t.id}  ${t.revokedAt ? "revoked " : "active  "} ${t.userEmail}${t.name ? ` "${t.name}"` : ""}  created ${t.createdAt}  last used ${t.lastUsedAt ?? "never"}`,
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
