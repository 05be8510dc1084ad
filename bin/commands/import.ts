// ledgerline import <file.ndjson|file.jsonl> --key <ingest key> — back-fill old access logs.
//
// Sends the file's events (one JSON object per line) in batches through lib/client, and:
// - never duplicates: lines without an `id` get one derived from their line number and
//   content (`imp-` + SHA-256), so a resumed or repeated import sends the same ids and the
//   server answers "duplicate" instead of appending twice;
// - is resumable: `<file>.ledgerline-import.json` records how many lines are settled
//   (acknowledged or written to the rejects file) plus a hash of those lines, so a rerun
//   continues after them — and refuses to if the file changed under it;
// - loses nothing: a batch refused for some items (422/409, naming them by index) is resent
//   without them; one refused without naming items (400/413) is split in halves until the
//   bad line is alone. Every rejected line goes to the rejects file as
//   {"line":n,"errors":[…],"event":…} with the server's reasons.
// Exit 0 when every line was accepted or a duplicate, 1 when some were rejected or the
// import stopped (rerun to resume), 2 on bad usage.

import fs from "node:fs";
import readline from "node:readline";
import { freshState, readState, type ImportState } from "./import-state.ts";
import { ImportRun, ImportStopped, parseLine, type ImportOptions, type Item } from "./import-run.ts";
import { intOption } from "./int-option.ts";
import type { CommandGroup } from "./kit.ts";
import { OwnUsageError, runWithOwnArgs } from "./own-args.ts";

export const IMPORT_USAGE = `Usage: ledgerline import <file.ndjson|file.jsonl> --key <ingest key> [--url http://localhost:3000]
         [--batch 500] [--rejects <file>] [--retries 5] [--restart] [--json]`;

// import talks to a server over HTTP and has options of its own: it parses its own arguments.
export const importCommand: CommandGroup = {
  name: "import",
  usage: `  import <file.ndjson> --key <ingest key> [--url <url>] [--batch 500] [--rejects <file>] [--json]
                         send a file's events to a running server (resumable; see docs/integrations.md)`,
  main: (argv) => runImport(argv),
};

const OPTIONS = {
  key: { type: "string" },
  url: { type: "string" },
  batch: { type: "string" },
  rejects: { type: "string" },
  retries: { type: "string" },
  restart: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Values = { key?: string; url?: string; batch?: string; rejects?: string; retries?: string; json?: boolean };

export async function runImport(argv: string[]): Promise<number> {
  return runWithOwnArgs({ command: "import", usage: IMPORT_USAGE, options: OPTIONS }, argv, async (p) => {
    const opts = importOptions(p.positionals, p.values);
    return importFile(opts, openState(opts, p.values.restart === true));
  });
}

function importOptions(positionals: string[], values: Values): ImportOptions {
  const [file, ...extra] = positionals;
  if (!file) throw new OwnUsageError("name the file to import, e.g. ledgerline import access-2025.ndjson --key llk_…");
  if (extra.length) throw new OwnUsageError(`one file at a time (got ${positionals.length})`);
  const key = values.key ?? process.env.LEDGERLINE_KEY;
  if (!key) throw new OwnUsageError("--key <ingest key> is required (or set LEDGERLINE_KEY)");
  const url = (values.url ?? process.env.LEDGERLINE_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  const batch = intOption(values.batch, "--batch", { min: 1, max: 10_000, fallback: 500 }, OwnUsageError);
  const retries = intOption(values.retries, "--retries", { fallback: 5 }, OwnUsageError);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new OwnUsageError(`no such file: ${file}`);
  const stateFile = `${file}.ledgerline-import.json`;
  const rejectsFile = values.rejects ?? `${file}.rejects.jsonl`;
  return { file, key, url, batch, retries, stateFile, rejectsFile, json: values.json === true };
}

/** The state of an earlier run into the same server, or a fresh one (and an empty rejects file). */
function openState(opts: ImportOptions, restart: boolean): ImportState {
  if (restart) {
    fs.rmSync(opts.stateFile, { force: true });
    fs.rmSync(opts.rejectsFile, { force: true });
  }
  const prior = readState(opts.stateFile);
  if (prior && prior.url !== opts.url) {
    throw new OwnUsageError(
      `${opts.stateFile} records an import into ${prior.url}, not ${opts.url}; use --restart to start over`,
    );
  }
  if (!prior) fs.writeFileSync(opts.rejectsFile, "");
  return prior ?? freshState(opts.url);
}

/** Reads the file line by line, skipping what an earlier run settled, and settles a batch at a time. */
async function sendLines(run: ImportRun): Promise<void> {
  const { file, batch } = run.opts;
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  let items: Item[] = [];
  let pendingLines: string[] = [];
  try {
    for await (const text of rl) {
      lineNo++;
      if (lineNo <= run.state.linesDone) {
        if (!run.skipSettled(text, lineNo))
          throw new OwnUsageError(
            `${file} changed since the last run (its first ${lineNo} lines differ); use --restart to import it again from the top`,
          );
        continue;
      }
      pendingLines.push(text);
      if (text.trim() !== "") items.push(parseLine(lineNo, text.replace(/^\uFEFF/, "")));
      if (items.length >= batch) {
        await run.settle(items, lineNo, pendingLines);
        items = [];
        pendingLines = [];
      }
    }
    if (lineNo < run.state.linesDone)
      throw new OwnUsageError(
        `${file} has ${lineNo} lines but ${run.state.linesDone} were imported before; use --restart`,
      );
    if (pendingLines.length) await run.settle(items, lineNo, pendingLines);
  } finally {
    rl.close();
  }
}

async function importFile(opts: ImportOptions, state: ImportState): Promise<number> {
  const resumedFrom = state.linesDone;
  const run = new ImportRun(opts, state);
  let stopped: string | null = null;
  try {
    await sendLines(run);
  } catch (e) {
    if (!(e instanceof ImportStopped)) throw e;
    stopped = e.message;
  }
  run.progress(state.linesDone, true);
  printSummary(opts, state, { resumedFrom, thisRun: run.thisRun, stopped });
  return stopped || state.rejected ? 1 : 0;
}

function printSummary(
  opts: ImportOptions,
  state: ImportState,
  r: { resumedFrom: number; thisRun: ImportRun["thisRun"]; stopped: string | null },
): void {
  const { file, url, rejectsFile, stateFile } = opts;
  const { resumedFrom, stopped } = r;
  if (opts.json) {
    const summary = {
      file,
      url,
      complete: stopped === null,
      lines: state.linesDone,
      resumedFrom,
      accepted: state.accepted,
      duplicates: state.duplicates,
      rejected: state.rejected,
      thisRun: r.thisRun,
      rejectsFile: state.rejected ? rejectsFile : null,
      stateFile,
      ...(stopped ? { error: stopped } : {}),
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    return;
  }
  const lines = [
    stopped
      ? `Stopped after line ${state.linesDone}: ${stopped}\nRun the same command again to resume from line ${state.linesDone + 1}.`
      : `Imported ${file}: ${state.linesDone} lines${resumedFrom ? ` (resumed after line ${resumedFrom})` : ""}.`,
    `  accepted ${state.accepted}, duplicates ${state.duplicates}, rejected ${state.rejected}`,
  ];
  if (state.rejected) lines.push(`  rejected lines and the reasons: ${rejectsFile}`);
  process.stdout.write(lines.join("\n") + "\n");
}
