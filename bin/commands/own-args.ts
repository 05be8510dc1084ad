// The argument handling of the commands that parse their own options (import,
// verify-bundle): --help prints the usage (exit 0); a bad option or a usage error
// prints the message and the usage (exit 2). No server imports: verify-bundle must
// load nothing but lib/core.
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Thrown by a command's body for bad usage: message, usage text, exit 2. */
export class OwnUsageError extends Error {}

export async function runWithOwnArgs<O extends Options>(
  spec: { command: string; usage: string; options: O },
  argv: string[],
  body: (parsed: { values: ReturnType<typeof parse<O>>["values"]; positionals: string[] }) => Promise<number>,
): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`ledgerline ${spec.command}: ${message}\n\n${spec.usage}\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse<O>>;
  try {
    parsed = parse(argv, spec.options);
  } catch (e) {
    return fail((e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(spec.usage + "\n");
    return 0;
  }
  try {
    return await body(parsed);
  } catch (e) {
    if (e instanceof OwnUsageError) return fail(e.message);
    throw e;
  }
}

function parse<O extends Options>(argv: string[], options: O) {
  return parseArgs({ args: argv, allowPositionals: true, options });
}
