// One run of `ledgerline import`: sends settled batches, splits a refused batch around
// the items the server names (or in halves when it names none) until every line is
// accepted, a duplicate or in the rejects file, and records progress in the state file.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { LedgerlineClient, LedgerlineError, type Problem, type WireEvent } from "@/lib/client/index.ts";
import { scanJson } from "@/lib/server/ingest/parse/json-scan.ts";
import { writeState, type ImportState } from "./import-state.ts";

export type Item = { line: number; event?: WireEvent; raw: string; errors?: unknown[] };

export type ImportOptions = {
  file: string;
  key: string;
  url: string;
  batch: number;
  retries: number;
  stateFile: string;
  rejectsFile: string;
  json: boolean;
};

/** The server refused in a way no split can fix (auth, unavailable past the retries): rerun to resume. */
export class ImportStopped extends Error {}

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

/** The server's per-item errors of a refused batch, by item index, pointers made relative to the line. */
function errorsByIndex(p: Problem | undefined, size: number): Map<number, unknown[]> {
  const byIndex = new Map<number, unknown[]>();
  for (const x of p?.errors ?? []) {
    if (!Number.isInteger(x.index) || (x.index as number) >= size) continue;
    const { index, ...rest } = x;
    // Pointers come as /<index>/field for the batch; the rejects file is per line.
    if (typeof rest.pointer === "string") rest.pointer = rest.pointer.replace(/^\/\d+/, "");
    byIndex.set(index as number, [...(byIndex.get(index as number) ?? []), rest]);
  }
  return byIndex;
}

export class ImportRun {
  readonly thisRun = { accepted: 0, duplicates: 0, rejected: 0 };
  readonly #prefix = crypto.createHash("sha256");
  readonly #client: LedgerlineClient;
  #lastProgress = 0;

  constructor(
    readonly opts: ImportOptions,
    readonly state: ImportState,
  ) {
    this.#client = new LedgerlineClient({
      url: opts.url,
      key: opts.key,
      batchSize: opts.batch,
      maxRetries: opts.retries,
      flushIntervalMs: 0,
      exitHook: false,
    });
  }

  /** A line settled by an earlier run: hashed, so the last one can prove the file did not change. */
  skipSettled(text: string, lineNo: number): boolean {
    this.#prefix.update(text + "\n");
    return lineNo !== this.state.linesDone || this.#prefix.copy().digest("hex") === this.state.prefixSha256;
  }

  progress(line: number, final = false): void {
    if (this.opts.json) return;
    const now = Date.now();
    if (!final && now - this.#lastProgress < 500) return;
    this.#lastProgress = now;
    const s = this.state;
    process.stderr.write(
      `\rimporting ${path.basename(this.opts.file)}: line ${line} · ${s.accepted} accepted · ${s.duplicates} duplicates · ${s.rejected} rejected   ${final ? "\n" : ""}`,
    );
  }

  /** Sends the parsed lines, writes the unparsable ones to the rejects file, then records the lines as settled. */
  async settle(items: Item[], lastLine: number, lines: string[]): Promise<void> {
    for (const item of items) if (item.errors) this.#reject(item, item.errors);
    await this.#sendGroup(items.filter((i) => i.event));
    for (const l of lines) this.#prefix.update(l + "\n");
    this.state.linesDone = lastLine;
    this.state.prefixSha256 = this.#prefix.copy().digest("hex");
    this.state.updatedAt = new Date().toISOString();
    writeState(this.opts.stateFile, this.state);
    this.progress(lastLine);
  }

  #reject(item: Item, errors: unknown[]): void {
    const line = JSON.stringify({ line: item.line, errors, event: item.event ?? item.raw });
    fs.appendFileSync(this.opts.rejectsFile, line + "\n");
    this.state.rejected++;
    this.thisRun.rejected++;
  }

  /** Sends one group, splitting around refused items until every item is settled; throws ImportStopped when it cannot go on. */
  async #sendGroup(group: Item[]): Promise<void> {
    if (!group.length) return;
    try {
      const r = await this.#client.send(group.map((i) => i.event!));
      this.state.accepted += r.accepted.length;
      this.state.duplicates += r.duplicates.length;
      this.thisRun.accepted += r.accepted.length;
      this.thisRun.duplicates += r.duplicates.length;
    } catch (e) {
      if (!(e instanceof LedgerlineError)) throw e;
      const refused = e.status === 400 || e.status === 413 || e.status === 422 || e.status === 409;
      if (!refused) throw new ImportStopped(e.message);
      const byIndex = e.status === 413 ? new Map<number, unknown[]>() : errorsByIndex(e.problem, group.length);
      if (byIndex.size) {
        group.forEach((item, i) => {
          const errs = byIndex.get(i);
          if (errs) this.#reject(item, errs);
        });
        return this.#sendGroup(group.filter((_, i) => !byIndex.has(i)));
      }
      if (group.length > 1) {
        const mid = Math.ceil(group.length / 2);
        await this.#sendGroup(group.slice(0, mid));
        return this.#sendGroup(group.slice(mid));
      }
      this.#reject(group[0]!, [{ pointer: "", detail: e.problem?.detail ?? e.message, status: e.status }]);
    }
  }
}
