// ledgerline siem add | list | replay | pause | resume | remove — SIEM streaming destinations.
import {
  createSiemDestination,
  deleteSiemDestination,
  listSiemDestinations,
  replaySiemDestination,
  setSiemDestinationState,
} from "@/lib/server/siem/service.ts";
import {
  UsageError,
  lines,
  oneArg,
  operator,
  print,
  readSecretStdin,
  stringOption,
  withLedger,
  type CommandGroup,
  type CommandLine,
} from "./kit.ts";
import { intOption } from "./int-option.ts";

/** --options '{"index":"audit"}' as an object, with a usage error naming the bad JSON. */
function optionsArg(v: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch {
    throw new UsageError(`--options must be a JSON object, e.g. --options '{"index":"audit","batch":500}'`);
  }
}

export const siemCommand: CommandGroup = {
  name: "siem",
  usage: `  siem add --name <name> --kind splunk-hec|elastic-bulk|syslog-tcp|syslog-tls|https-ndjson
           --url <url or host:port> [--format native|ocsf] [--secret-stdin] [--options <json>]
           [--start beginning|now|<seq>] [--json]
                         stream every checkpoint-covered entry to a SIEM (the secret is read from stdin)
  siem list [--json]     destinations with cursor, lag, state and last error
  siem replay <id> --from <seq> [--json]
                         send everything from seq again (the SIEM may see records twice)
  siem pause <id> | siem resume <id>
                         stop / restart a destination (resume also retries a dead letter)
  siem remove <id>       delete a destination (its cursor is recorded in the log)`,
  options: {
    name: { type: "string" },
    kind: { type: "string" },
    url: { type: "string" },
    format: { type: "string" },
    options: { type: "string" },
    start: { type: "string" },
    from: { type: "string" },
    "secret-stdin": { type: "boolean" },
  },
  subcommands: {
    async add(line) {
      const name = stringOption(line, "name");
      const kind = stringOption(line, "kind");
      const url = stringOption(line, "url");
      if (!name || !kind || !url) throw new UsageError("siem add needs --name, --kind and --url (see ledgerline help)");
      const start = stringOption(line, "start");
      const secret = line.values["secret-stdin"]
        ? readSecretStdin("secret-stdin", "the secret", "printf '%s' \"$HEC_TOKEN\" | ledgerline siem add …")
        : undefined;
      const options = optionsArg(stringOption(line, "options"));
      const input = {
        name,
        kind,
        url,
        ...(stringOption(line, "format") ? { format: stringOption(line, "format") } : {}),
        ...(secret ? { secret } : {}),
        ...(options ? { options } : {}),
        ...(start
          ? {
              startAfterSeq:
                start === "beginning" || start === "now" ? start : intOption(start, "--start", {}, UsageError),
            }
          : {}),
      };
      const d = await withLedger((l) => createSiemDestination(l, operator(), input as never));
      print(
        line.out,
        d,
        `SIEM destination ${d.name} (${d.id}) streams from seq ${d.cursorSeq + 1} once the server runs.`,
      );
      return 0;
    },
    async list(line) {
      const ds = await withLedger((l) => listSiemDestinations(l, operator()));
      const human = lines(
        ds,
        (d) =>
          `${d.id}  ${d.name}  ${d.kind}/${d.format}  ${d.state}  cursor ${d.cursorSeq}  lag ${d.lag}  delivered ${d.delivered}${d.lastError ? `  last error ${d.lastErrorAt}: ${d.lastError}` : ""}`,
        "No SIEM destinations. Add one with: ledgerline siem add --name … --kind … --url …",
      );
      print(line.out, ds, human);
      return 0;
    },
    async replay(line) {
      const id = oneArg(line.rest, "siem replay needs the destination id, e.g. ledgerline siem replay <id> --from 1");
      const fromSeq = intOption(stringOption(line, "from"), "--from", { min: 1 }, UsageError);
      if (fromSeq === undefined) throw new UsageError("siem replay needs --from <seq> (1 or more)");
      const r = await withLedger((l) => replaySiemDestination(l, operator(), id, { fromSeq }));
      print(line.out, r, `Destination ${id} will send again from seq ${fromSeq}.`);
      return 0;
    },
    pause: (line) => setState(line, "paused"),
    resume: (line) => setState(line, "active"),
    async remove(line) {
      const id = oneArg(line.rest, "siem remove needs the destination id");
      const r = await withLedger((l) => deleteSiemDestination(l, operator(), id));
      print(line.out, r, `Removed SIEM destination ${id}.`);
      return 0;
    },
  },
};

async function setState(line: CommandLine, state: "active" | "paused") {
  const id = oneArg(line.rest, `siem ${state === "active" ? "resume" : "pause"} needs the destination id`);
  const r = await withLedger((l) => setSiemDestinationState(l, operator(), id, state));
  print(line.out, r, `Destination ${id} is ${state === "active" ? "streaming again" : "paused"}.`);
  return 0;
}
