// What every `ledgerline` command group shares: the shape of a group in the command
// table (bin/commands/table.ts), the parsed command line it receives, and the few
// helpers the store-side commands use (printing, opening the ledger, the operator).
import fs from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { loadConfig } from "@/lib/server/config.ts";
import { cliActor } from "@/lib/server/audit/audit-trail.ts";
import { ROLES, isRole } from "@/lib/server/auth/permissions.ts";
import { systemPrincipal, type Principal } from "@/lib/server/auth/principal.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { createRuntime, type Runtime } from "@/lib/server/runtime/runtime.ts";

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Bad usage: the CLI prints the message and the usage text and exits 2. */
export class UsageError extends Error {}

/**
 * The command line as the store-side commands see it: one parse over the options of
 * every group (so an option one group declares is accepted, and ignored, by the others,
 * as it always was), `cmd` and `sub` the first two words, `rest` the words after them.
 */
export type CommandLine = {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
  cmd: string;
  sub: string | undefined;
  rest: string[];
  out: Out;
};

export type Out = { json: boolean };

export type Handler = (line: CommandLine) => Promise<number>;

/**
 * One entry of the command table: `ledgerline <name> …`. A group either has
 * subcommands (`keys create`, `keys list`), one handler for the whole line
 * (`verify-log`), or parses its own arguments (`import`, `verify-bundle`: they need no
 * store and have options of their own). Its `usage` lines go into `ledgerline --help`.
 */
export type CommandGroup = {
  name: string;
  usage: string;
  /** Options this group reads, merged into the one parse of the command line. */
  options?: OptionsConfig;
} & (
  | { subcommands: Record<string, Handler> }
  | { run: Handler }
  | {
      /** Gets the arguments after the group's name, unparsed; returns the exit code. */ main: (
        argv: string[],
      ) => Promise<number>;
    }
);

export function print(out: Out, data: unknown, human: string) {
  process.stdout.write(out.json ? JSON.stringify(data, null, 2) + "\n" : human + "\n");
}

export async function withLedger<T>(fn: (l: Runtime) => Promise<T>): Promise<T> {
  const ledger = createRuntime(await openLedger(loadConfig(), { log: (m) => process.stderr.write(`${m}\n`) }));
  try {
    return await fn(ledger);
  } finally {
    await ledger.close();
  }
}

/** Who the CLI acts as: an admin, meta-audited as the operator at the shell (source ledgerline:cli). */
export function operator(): Principal {
  return systemPrincipal(cliActor().id);
}

export function stringOption(line: CommandLine, name: string): string | undefined {
  const v = line.values[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * `--name` parsed as JSON (undefined when absent). Bad JSON is a usage error that says what
 * the option holds (`what`, e.g. "an explorer filter"), shows `example` and echoes the input.
 */
export function jsonOption(line: CommandLine, name: string, example: string, what = "JSON"): unknown {
  const raw = stringOption(line, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new UsageError(`--${name} must be ${what}, e.g. --${name} ${example} (got ${raw})`);
  }
}

export function roleArg(value: string | undefined, missing: string): string {
  if (!value) throw new UsageError(missing);
  if (!isRole(value)) throw new UsageError(`Unknown role "${value}": use one of ${ROLES.join(", ")}.`);
  return value;
}

export function oneArg(rest: string[], message: string): string {
  if (rest.length !== 1 || !rest[0]) throw new UsageError(message);
  return rest[0];
}

/** A secret piped on stdin for `--<flag>`, without its one trailing newline (as `echo` or a heredoc adds). */
export function readSecretStdin(flag: string, what: string, pipeExample: string): string {
  if (process.stdin.isTTY) throw new UsageError(`--${flag} reads ${what} from a pipe, e.g. ${pipeExample}`);
  const secret = fs.readFileSync(0, "utf8").replace(/\r?\n$/, "");
  if (!secret) throw new UsageError(`--${flag}: nothing was read from stdin`);
  return secret;
}

/** The password piped on stdin (`--password-stdin`). */
export function readPasswordStdin(): string {
  return readSecretStdin(
    "password-stdin",
    "the password",
    "printf '%s' \"$PASSWORD\" | ledgerline users create …; leave it out to have one generated",
  );
}

/** A list for people: one line per item, or the hint for an empty list. */
export function lines<T>(items: T[], line: (item: T) => string, empty: string): string {
  return items.length ? items.map(line).join("\n") : empty;
}

/** "shown once" secrets (passwords) appended to a confirmation, when one was generated. */
export function shownOncePassword(password: string | undefined): string {
  return password ? `\nPassword — shown once, hand it over out of band:\n\n  ${password}\n` : "";
}
