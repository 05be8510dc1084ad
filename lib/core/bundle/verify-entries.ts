import { fromBase64, toBase64, utf8 } from "../bytes.ts";
import { canonicalJson } from "../canonical-json.ts";
import type { EventFilter } from "../event-filter.ts";
import type { LogHasher } from "../hash.ts";
import { verifyInclusion } from "../merkle.ts";
import { BUNDLE_FILES, csvHeader, csvLine, eventLine, proofLine, type BundleManifest } from "./format.ts";
import type { Tree } from "./verify-checkpoint.ts";
import type { BundleFiles } from "./bundle-files.ts";
import { filterOutcome, type DisclosedView } from "./disclosures.ts";
import { DisclosureCheck, type PersonalReport } from "./verify-disclosures.ts";
import { Fail, exactKeys, isObject, isSeq, lines, verdict, type BundleCheck } from "./verify-kit.ts";

// Checks 4 and 5 of SPEC §5, in one streaming pass over events.jsonl (a bundle may hold
// millions of entries): EntriesCheck proves each line, ListingCheck checks the lines
// against the manifest and events.csv.

const PROGRESS_EVERY = 2000;

/** One events.jsonl line as far as it could be read: seq and entry are set once its shape is right. */
type EventLine = { n: number; seq?: number; entry?: Record<string, unknown>; leafB64?: string; view?: DisclosedView };

function parseEventLine(line: string, n: number, out: EventLine): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Fail(`events.jsonl line ${n} is not valid JSON`);
  }
  if (
    !isObject(parsed) ||
    !exactKeys(parsed, ["seq", "leafHash", "entry"]) ||
    !isSeq(parsed.seq) ||
    typeof parsed.leafHash !== "string" ||
    !isObject(parsed.entry)
  ) {
    throw new Fail(`events.jsonl line ${n} is not {"seq","leafHash","entry"}`);
  }
  out.seq = parsed.seq;
  out.entry = parsed.entry;
  out.leafB64 = parsed.leafHash;
}

/** The entry's leaf hash, after checking the line is canonical and its hash is the one it carries. */
function checkedLeaf(line: string, l: Required<EventLine>, hasher: LogHasher): Uint8Array {
  const { n, seq, entry, leafB64 } = l;
  let jcs: string;
  try {
    jcs = canonicalJson(entry);
  } catch (e) {
    throw new Fail(`entry seq ${seq}: ${(e as Error).message}`, seq);
  }
  if (eventLine(seq, leafB64, jcs) !== `${line}\n`)
    throw new Fail(`events.jsonl line ${n} (seq ${seq}) is not in canonical form`, seq);
  if (entry.seq !== seq)
    throw new Fail(`events.jsonl line ${n}: entry.seq ${String(entry.seq)} is not seq ${seq}`, seq);
  const leaf = hasher.hashLeaf(utf8(jcs));
  if (toBase64(leaf) !== leafB64)
    throw new Fail(`entry seq ${seq} does not hash to its leafHash (the entry or the hash was changed)`, seq);
  return leaf;
}

function checkProof(line: string, n: number, seq: number, leaf: Uint8Array, tree: Tree, hasher: LogHasher): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Fail(`proofs.jsonl line ${n} is not valid JSON`, seq);
  }
  if (
    !isObject(parsed) ||
    !exactKeys(parsed, ["seq", "path"]) ||
    !Array.isArray(parsed.path) ||
    parsed.path.some((p) => typeof p !== "string")
  ) {
    throw new Fail(`proofs.jsonl line ${n} is not {"seq","path":[…]}`, seq);
  }
  if (parsed.seq !== seq)
    throw new Fail(`proofs.jsonl line ${n} is for seq ${String(parsed.seq)}, not seq ${seq}`, seq);
  const pathB64 = parsed.path as string[];
  if (proofLine(seq, pathB64) !== `${line}\n`)
    throw new Fail(`proofs.jsonl line ${n} (seq ${seq}) is not in canonical form`, seq);
  let path: Uint8Array[];
  try {
    path = pathB64.map((p) => fromBase64(p));
  } catch {
    throw new Fail(`the proof of seq ${seq} has an element that is not base64`, seq);
  }
  if (seq > tree.size) throw new Fail(`seq ${seq} is beyond the checkpoint's tree size ${tree.size}`, seq);
  if (!verifyInclusion(seq - 1, tree.size, leaf, path, tree.rootHash, hasher)) {
    throw new Fail(`the inclusion proof of seq ${seq} does not lead to the checkpoint's root`, seq);
  }
}

/** Check 4: every line is canonical, hashes to its leafHash, and its proof leads to the checkpoint's root. */
class EntriesCheck {
  fail: Fail | null = null;
  readonly #proofs: Generator<string> | null;

  constructor(
    proofs: Streamed | null,
    private readonly tree: Tree | null,
    private readonly hasher: LogHasher,
  ) {
    this.#proofs = proofs ? lines(proofs.chunks, "proofs.jsonl", proofs.lastByte) : null;
    if (!proofs) this.fail = new Fail("proofs.jsonl is missing");
    else if (!tree) this.fail = new Fail("no usable checkpoint to check the proofs against (see check 3)");
  }

  /** Reads and checks line n; what could be read goes to `out` for check 5 even when this check fails. */
  line(line: string, out: EventLine): void {
    try {
      parseEventLine(line, out.n, out);
      const seq = out.seq!;
      const leaf = checkedLeaf(line, out as Required<EventLine>, this.hasher);
      if (this.fail || !this.#proofs) return;
      const p = this.#proofs.next();
      if (p.done) throw new Fail(`proofs.jsonl has no line for seq ${seq} (it has fewer lines than events.jsonl)`, seq);
      checkProof(p.value, out.n, seq, leaf, this.tree!, this.hasher);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.fail ??= e;
    }
  }

  /** After the last line: proofs.jsonl must not have more. */
  end(): void {
    if (!this.fail && this.#proofs && !this.#proofs.next().done)
      this.fail = new Fail("proofs.jsonl has more lines than events.jsonl");
  }
}

/** Check 5: seqs increase, every entry matches the filter, events.csv holds the same entries, the counts agree. */
class ListingCheck {
  fail: Fail | null;
  firstSeq = 0;
  lastSeq = 0;

  readonly #csv: ByteCursor | null;

  constructor(
    private readonly manifest: BundleManifest | null,
    problem: string | null,
    csv: Streamed | null,
  ) {
    this.#csv = csv ? new ByteCursor(csv.chunks, csv.size) : null;
    this.fail = problem ? new Fail(problem) : null;
    if (!csv && !this.fail) this.fail = new Fail("events.csv is missing");
    if (csv && !this.fail && !this.#csvMatch(csvHeader()))
      this.fail = new Fail("events.csv does not start with the expected header row");
  }

  /** The next bytes of events.csv are `text`: consumes them. */
  #csvMatch(text: string): boolean {
    return this.#csv?.match(utf8(text)) ?? false;
  }

  line(l: EventLine, disclosures: DisclosureCheck): void {
    if (this.fail) return;
    const { n, seq, entry } = l;
    if (seq === undefined || entry === undefined) {
      this.fail = new Fail(`events.jsonl line ${n} is unreadable (see check 4)`);
      return;
    }
    if (n === 1) this.firstSeq = seq;
    else if (seq <= this.lastSeq)
      this.fail = new Fail(`seq ${seq} follows seq ${this.lastSeq}: seqs must strictly increase`, seq);
    this.lastSeq = seq;
    if (this.fail) return;
    // Matched as disclosed (values put back); a member reading a withheld or erased field cannot be checked here.
    const outcome = filterOutcome(l.view ?? { entry, hidden: [] }, this.manifest!.filter as EventFilter, canonicalJson);
    if (outcome === "no-match") {
      this.fail = new Fail(`entry seq ${seq} does not match the manifest's filter`, seq);
      return;
    }
    if (outcome === "uncheckable") disclosures.uncheckable(seq);
    let row: string | null = null;
    try {
      row = csvLine(entry as unknown as Parameters<typeof csvLine>[0], l.leafB64!);
    } catch {
      row = null;
    }
    if (row === null || !this.#csvMatch(row))
      this.fail = new Fail(`events.csv row ${n + 1} is not entry seq ${seq} (the CSV was changed)`, seq);
  }

  end(n: number): void {
    const m = this.manifest;
    if (this.fail || !m) return;
    if (m.count !== n) this.fail = new Fail(`manifest.count is ${m.count} but events.jsonl has ${n} entries`);
    else if (m.firstSeq !== this.firstSeq)
      this.fail = new Fail(`manifest.firstSeq is ${m.firstSeq} but the first entry is seq ${this.firstSeq}`);
    else if (m.lastSeq !== this.lastSeq)
      this.fail = new Fail(`manifest.lastSeq is ${m.lastSeq} but the last entry is seq ${this.lastSeq}`);
    else if (this.#csv && !this.#csv.atEnd()) this.fail = new Fail("events.csv has rows that are not in events.jsonl");
  }
}

type Streamed = { chunks: Iterable<Uint8Array>; size: number; lastByte: number | null; lines: number };

function streamed(files: BundleFiles, name: string): Streamed | null {
  const chunks = files.chunks(name);
  const info = files.info(name);
  return chunks && info ? { chunks, size: info.size, lastByte: info.lastByte, lines: info.lines } : null;
}

/**
 * events.csv compared with the rows rebuilt from events.jsonl, as it streams:
 * one chunk in memory, never the file.
 */
class ByteCursor {
  readonly #it: Iterator<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #consumed = 0;

  constructor(
    chunks: Iterable<Uint8Array>,
    private readonly size: number,
  ) {
    this.#it = chunks[Symbol.iterator]();
  }

  /** The next bytes are `b`: consumes them; false (and stops) at the first difference or at the end. */
  match(b: Uint8Array): boolean {
    if (this.#consumed + b.length > this.size) return false;
    for (let i = 0; i < b.length;) {
      if (this.#pos === this.#chunk.length) {
        const n = this.#it.next();
        if (n.done) return false;
        this.#chunk = n.value;
        this.#pos = 0;
        continue;
      }
      if (this.#chunk[this.#pos] !== b[i]) return false;
      this.#pos++;
      i++;
    }
    this.#consumed += b.length;
    return true;
  }

  atEnd(): boolean {
    return this.#consumed === this.size;
  }
}

/** Checks 4 and 5. */
export async function checkEntries(
  files: BundleFiles,
  tree: Tree | null,
  manifest: { manifest: BundleManifest | null; problem: string | null },
  hasher: LogHasher,
  onProgress?: (done: number, total: number) => void | Promise<void>,
): Promise<[BundleCheck, BundleCheck, PersonalReport]> {
  const claim = manifest.manifest?.withheld ?? [];
  const disclosures = new DisclosureCheck(streamed(files, BUNDLE_FILES.disclosures), claim, hasher);
  const events = streamed(files, BUNDLE_FILES.events);
  if (!events) {
    const missing = "events.jsonl is missing";
    return [
      verdict("entries", new Fail(missing), ""),
      verdict("manifest", new Fail(manifest.problem ?? missing), ""),
      disclosures.report(),
    ];
  }
  const entries = new EntriesCheck(streamed(files, BUNDLE_FILES.proofs), tree, hasher);
  const listing = new ListingCheck(manifest.manifest, manifest.problem, streamed(files, BUNDLE_FILES.csv));
  const total = events.lines;
  let n = 0;
  try {
    for (const line of lines(events.chunks, "events.jsonl", events.lastByte)) {
      const l: EventLine = { n: ++n };
      entries.line(line, l);
      if (l.seq !== undefined && l.entry) l.view = disclosures.entry(l.seq, l.entry);
      listing.line(l, disclosures);
      if (n % PROGRESS_EVERY === 0) await onProgress?.(n, total);
    }
    entries.end();
    disclosures.end();
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    entries.fail ??= e;
    listing.fail ??= new Fail(`events.jsonl is unreadable (${e.message})`);
  }
  await onProgress?.(n, total);
  listing.end(n);
  entries.fail ??= disclosures.fail;
  const personal = disclosures.report();
  return [
    verdict(
      "entries",
      entries.fail,
      `${n} entries: leaf hashes and inclusion proofs valid against tree size ${tree?.size}${disclosures.summary()}`,
    ),
    verdict("manifest", listing.fail, listingSummary(n, listing, personal.filterUncheckable.count)),
    personal,
  ];
}

function listingSummary(n: number, l: { firstSeq: number; lastSeq: number }, uncheckable: number): string {
  if (!n) return "no entries, as the manifest says";
  const all = `${n} entries, seq ${l.firstSeq}…${l.lastSeq}`;
  if (!uncheckable) return `${all}, all matching the filter`;
  return `${all}: ${n - uncheckable} matching the filter, ${uncheckable} not checkable offline (the filter reads a field the bundle withholds or that was erased)`;
}
