// ledgerline keys create | revoke | list — ingest keys, each bound to a source identity.
import { createIngestKey, listIngestKeys, revokeIngestKey } from "@/lib/server/ingest/ingest-keys.ts";
import { UsageError, lines, operator, print, stringOption, withLedger, type CommandGroup } from "./kit.ts";

export const keysCommand: CommandGroup = {
  name: "keys",
  usage: `  keys create --source <identity> [--description <text>] [--json]
                         create an ingest key bound to a source identity (printed once)
  keys revoke <id> [--json]
                         revoke an ingest key; requests with it get 401 from then on
  keys list [--json]     list ingest keys (never their secrets)`,
  options: { source: { type: "string" }, description: { type: "string" } },
  subcommands: {
    async create(line) {
      const source = stringOption(line, "source");
      if (!source)
        throw new UsageError("keys create needs --source <identity>, e.g. --source spiffe://prod/ns/shop/sa/orders");
      const k = await withLedger((l) => createIngestKey(l, operator(), source, stringOption(line, "description")));
      print(line.out, k, `Ingest key ${k.id} for source ${k.source} — shown once, store it now:\n\n  ${k.key}\n`);
      return 0;
    },
    async revoke(line) {
      const id = line.rest[0];
      if (!id) throw new UsageError("keys revoke needs the key id, e.g. ledgerline keys revoke 3f9a0c1b2d4e");
      const k = await withLedger((l) => revokeIngestKey(l, operator(), id));
      print(line.out, k, `Revoked ingest key ${k.id} (source ${k.source}) at ${k.revokedAt}.`);
      return 0;
    },
    async list(line) {
      const keys = await withLedger((l) => listIngestKeys(l, operator()));
      const human = lines(
        keys,
        (k) =>
          `${k.id}  ${k.revokedAt ? "revoked " : k.reservedSource ? "REFUSED " : "active  "} ${k.source}  created ${k.createdAt}  last used ${k.lastUsedAt ?? "never"}`,
        "No ingest keys. Create one with: ledgerline keys create --source <identity>",
      );
      print(line.out, keys, human);
      if (!line.out.json && keys.some((k) => k.reservedSource && !k.revokedAt))
        process.stderr.write(
          "REFUSED keys are bound to the reserved ledgerline: namespace; every request with them gets 403. Revoke them.\n",
        );
      return 0;
    },
  },
};
