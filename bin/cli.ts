// ledgerline — operate a Ledgerline store from the shell, on the same
// DATABASE_URL / LEDGERLINE_DATA_DIR as the server. Human text by default,
// JSON with --json; exit 0 on success, 1 on a failed check, 2 on bad usage.
// The commands live in bin/commands/, one file per group, listed in table.ts.
import { parseArgs } from "node:util";
import { ConfigError } from "@/lib/server/config.ts";
import { AppError } from "@/lib/server/errors.ts";
import { UsageError, type CommandGroup, type CommandLine, type OptionsConfig } from "./commands/kit.ts";
import { COMMANDS } from "./commands/table.ts";

const USAGE = `Usage: ledgerline <command> [options]

Commands:
${COMMANDS.map((c) => c.usage).join("\n")}

Every change by users/tokens/keys is appended to the log as a meta-audit entry whose
source is ledgerline:cli and whose requester is the operator (user@host).
Configuration comes from the environment (DATABASE_URL, LEDGERLINE_DATA_DIR, …; see README).`;

// One parse for every store-side command: the options of all groups together.
const OPTIONS: OptionsConfig = Object.assign(
  {
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  } satisfies OptionsConfig,
  ...COMMANDS.map((c) => c.options ?? {}),
);

function unknownCommand(positionals: string[]): never {
  throw new UsageError(`Unknown command "${positionals.join(" ")}".`);
}

async function dispatch(group: CommandGroup, line: CommandLine): Promise<number> {
  if ("run" in group) return group.run(line);
  if (!("subcommands" in group)) return unknownCommand(line.positionals);
  const handler = line.sub !== undefined ? group.subcommands[line.sub] : undefined;
  if (!handler || !Object.hasOwn(group.subcommands, line.sub!)) return unknownCommand(line.positionals);
  return handler(line);
}

async function main(argv: string[]): Promise<number> {
  // A group with options of its own (import, verify-bundle) gets its arguments unparsed.
  const own = COMMANDS.find((c) => c.name === argv[0] && "main" in c);
  if (own && "main" in own) return own.main(argv.slice(1));
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [cmd, sub, ...rest] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(USAGE + "\n");
    return cmd || values.help ? 0 : 2;
  }
  const group = COMMANDS.find((c) => c.name === cmd);
  if (!group) return unknownCommand(positionals);
  return dispatch(group, { values, positionals, cmd, sub, rest, out: { json: values.json === true } });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.("ERR_PARSE_ARGS")) {
      process.stderr.write(`ledgerline: ${(e as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof AppError || e instanceof ConfigError) {
      process.stderr.write(`ledgerline: ${(e as Error).message}\n`);
      process.exit(1);
    }
    process.stderr.write(`ledgerline: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  },
);
