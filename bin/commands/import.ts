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

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { scanJson } from "@/lib/server/ingest/parse/json-scan.ts";
import { LedgerlineClient, LedgerlineError, type Problem, type WireEvent } from "@/lib/client/index.ts";

export const IMPORT_USAGE = `Usage: ledgerline import <file.ndjson|file.jsonl> --key <ingest key> [--url http://localhost:3000]
         [--batch 500] [--rejects <file>] [--retries 5] [--restart] [--json]`;

type State = {
  version: 1;
  url: string;
  linesDone: number;
  /** SHA-256 over the settled lines (each + "\\n"): a rerun checks the file still starts with them. */
  prefixSha256: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  updatedAt: string;
};

type Item = { line: number; event?: WireEvent; raw: string; errors?: unknown[] };

class ImportUsageError extends Error {}
class ImportStopped extends Error {}

function readState(file: string): State | null {
  try {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as State;
    return s.version === 1 && Number.isInteger(s.linesDone) ? s : null;
  } catch {
    return null;
  }
}

function writeState(file: string, s: State): void {
  // Write then rename: a crash mid-write must not leave a state file that says nothing.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** The id a line without one gets: same line, same place → same id, on every run. */
export function lineEventId(line: number, text: string): string {
  return `imp-${crypto.createHash("sha256").update(`${line}\n${text}`).digest("hex").slice(0, 40)}`;
}

/** Parses one line strictly (duplicate keys refused, as the server does); returns the event or the errors. */
export function parseLine(line: number, text: string): Item {
  const scan = scanJson(text, { maxDepth: 64 });
  if (!scan.ok) {
    const i = scan.issues[0]!;
    const detail =
      i.kind === "duplicate-key"
        ? `duplicate key "${i.key}"`
        : i.kind === "depth"
          ? "nested deeper than 64 levels"
          : `malformed JSON at column ${i.offset + 1}${i.kind === "syntax" ? `: ${i.detail}` : ""}`;
    return { line, raw: text, errors: [{ pointer: "", detail }] };
  }
  const v: unknown = JSON.parse(text);
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { line, raw: text, errors: [{ pointer: "", detail: "must be a JSON object (one event per line)" }] };
  }
  const obj = v as Record<string, unknown>;
  const event = (obj.id === undefined ? { id: lineEventId(line, text), ...obj } : obj) as WireEvent;
  return { line, raw: text, event };
}

export async function runImport(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: "string" },
        url: { type: "string" },
        batch: { type: "string" },
        rejects: { type: "string" },
        retries: { type: "string" },
        restart: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`ledgerline import: ${(e as Error).message}\n\n${IMPORT_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(IMPORT_USAGE + "\n");
    return 0;
  }
  try {
    return await importFile(positionals, values);
  } catch (e) {
    if (e instanceof ImportUsageError) {
      process.stderr.write(`ledgerline import: ${e.message}\n\n${IMPORT_USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

async function importFile(
  positionals: string[],
  values: {
    key?: string;
    url?: string;
    batch?: string;
    rejects?: string;
    retries?: string;
    restart?: boolean;
    json?: boolean;
  },
): Promise<number> {
  const [file, ...extra] = positionals;
  if (!file)
    throw new ImportUsageError("name the file to import, e.g. ledgerline import access-2025.ndjson --key llk_…");
  if (extra.length) throw new ImportUsageError(`one file at a time (got ${positionals.length})`);
  const key = values.key ?? process.env.LEDGERLINE_KEY;
  if (!key) throw new ImportUsageError("--key <ingest key> is required (or set LEDGERLINE_KEY)");
  const url = (values.url ?? process.env.LEDGERLINE_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  const batch = Number(values.batch ?? 500);
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000)
    throw new ImportUsageError("--batch must be an integer from 1 to 10000");
  const retries = Number(values.retries ?? 5);
  if (!Number.isInteger(retries) || retries < 0) throw new ImportUsageError("--retries must be a non-negative integer");
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new ImportUsageError(`no such file: ${file}`);

  const stateFile = `${file}.ledgerline-import.json`;
  const rejectsFile = values.rejects ?? `${file}.rejects.jsonl`;
  if (values.restart) {
    fs.rmSync(stateFile, { force: true });
    fs.rmSync(rejectsFile, { force: true });
  }
  const prior = readState(stateFile);
  if (prior && prior.url !== url) {
    throw new ImportUsageError(
      `${stateFile} records an import into ${prior.url}, not ${url}; use --restart to start over`,
    );
  }
  if (!prior) fs.writeFileSync(rejectsFile, "");
  const state: State = prior ?? {
    version: 1,
    url,
    linesDone: 0,
    prefixSha256: "",
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    updatedAt: "",
  };
  const resumedFrom = state.linesDone;
  const run = { accepted: 0, duplicates: 0, rejected: 0 };

  const client = new LedgerlineClient({
    url,
    key,
    batchSize: batch,
    maxRetries: retries,
    flushIntervalMs: 0,
    exitHook: false,
  });
  const prefix = crypto.createHash("sha256");
  let lastProgress = 0;
  const progress = (line: number, final = false) => {
    if (values.json) return;
    const now = Date.now();
    if (!final && now - lastProgress < 500) return;
    lastProgress = now;
    process.stderr.write(
      `\rimporting ${path.basename(file)}: line ${line} · ${state.accepted} accepted · ${state.duplicates} duplicates · ${state.rejected} rejected   ${final ? "\n" : ""}`,
    );
  };

  const reject = (item: Item, errors: unknown[]) => {
    fs.appendFileSync(rejectsFile, JSON.stringify({ line: item.line, errors, event: item.event ?? item.raw }) + "\n");
    state.rejected++;
    run.rejected++;
  };

  /** Sends one group, splitting around refused items until every item is settled; throws ImportStopped when it cannot go on. */
  const sendGroup = async (group: Item[]): Promise<void> => {
    if (!group.length) return;
    try {
      const r = await client.send(group.map((i) => i.event!));
      state.accepted += r.accepted.length;
      state.duplicates += r.duplicates.length;
      run.accepted += r.accepted.length;
      run.duplicates += r.duplicates.length;
      return;
    } catch (e) {
      if (!(e instanceof LedgerlineError)) throw e;
      const p: Problem | undefined = e.problem;
      const indexed = (p?.errors ?? []).filter((x) => Number.isInteger(x.index) && (x.index as number) < group.length);
      if ((e.status === 422 || e.status === 409 || e.status === 400) && indexed.length) {
        const byIndex = new Map<number, unknown[]>();
        for (const x of indexed) {
          const { index, ...rest } = x;
          // Pointers come as /<index>/field for the batch; the rejects file is per line.
          if (typeof rest.pointer === "string") rest.pointer = rest.pointer.replace(/^\/\d+/, "");
          byIndex.set(index as number, [...(byIndex.get(index as number) ?? []), rest]);
        }
        group.forEach((item, i) => {
          const errs = byIndex.get(i);
          if (errs) reject(item, errs);
        });
        return sendGroup(group.filter((_, i) => !byIndex.has(i)));
      }
      if (e.status === 400 || e.status === 413 || e.status === 422 || e.status === 409) {
        if (group.length > 1) {
          const mid = Math.ceil(group.length / 2);
          await sendGroup(group.slice(0, mid));
          return sendGroup(group.slice(mid));
        }
        reject(group[0]!, [{ pointer: "", detail: p?.detail ?? e.message, status: e.status }]);
        return;
      }
      throw new ImportStopped(e.message);
    }
  };

  const settle = async (items: Item[], lastLine: number, lines: string[]) => {
    for (const item of items) if (item.errors) reject(item, item.errors);
    await sendGroup(items.filter((i) => i.event));
    for (const l of lines) prefix.update(l + "\n");
    state.linesDone = lastLine;
    state.prefixSha256 = prefix.copy().digest("hex");
    state.updatedAt = new Date().toISOString();
    writeState(stateFile, state);
    progress(lastLine);
  };

  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNo = 0;
  let items: Item[] = [];
  let pendingLines: string[] = [];
  let stopped: string | null = null;
  try {
    for await (const text of rl) {
      lineNo++;
      if (lineNo <= state.linesDone) {
        prefix.update(text + "\n");
        if (lineNo === state.linesDone && prefix.copy().digest("hex") !== state.prefixSha256) {
          throw new ImportUsageError(
            `${file} changed since the last run (its first ${lineNo} lines differ); use --restart to import it again from the top`,
          );
        }
        continue;
      }
      pendingLines.push(text);
      if (text.trim() !== "") items.push(parseLine(lineNo, text.replace(/^\uFEFF/, "")));
      if (items.length >= batch) {
        await settle(items, lineNo, pendingLines);
        items = [];
        pendingLines = [];
      }
    }
    if (lineNo < state.linesDone) {
      throw new ImportUsageError(
        `${file} has ${lineNo} lines but ${state.linesDone} were imported before; use --restart`,
      );
    }
    if (pendingLines.length) await settle(items, lineNo, pendingLines);
  } catch (e) {
    if (!(e instanceof ImportStopped)) throw e;
    stopped = e.message;
  } finally {
    rl.close();
  }
  progress(state.linesDone, true);

  const summary = {
    file,
    url,
    complete: stopped === null,
    lines: state.linesDone,
    resumedFrom,
    accepted: state.accepted,
    duplicates: state.duplicates,
    rejected: state.rejected,
    thisRun: run,
    rejectsFile: state.rejected ? rejectsFile : null,
    stateFile,
    ...(stopped ? { error: stopped } : {}),
  };
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  else {
    const lines = [
      stopped
        ? `Stopped after line ${state.linesDone}: ${stopped}\nRun the same command again to resume from line ${state.linesDone + 1}.`
        : `Imported ${file}: ${state.linesDone} lines${resumedFrom ? ` (resumed after line ${resumedFrom})` : ""}.`,
      `  accepted ${state.accepted}, duplicates ${state.duplicates}, rejected ${state.rejected}`,
    ];
    if (state.rejected) lines.push(`  rejected lines and the reasons: ${rejectsFile}`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  return stopped || state.rejected ? 1 : 0;
}
