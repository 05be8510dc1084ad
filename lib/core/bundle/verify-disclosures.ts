import type { LogHasher } from "../hash.ts";
import { opensCommitment } from "../personal.ts";
import {
  disclosedView,
  disclosureLine,
  disclosureStatus,
  personalOf,
  type DisclosedView,
  type Disclosure,
} from "./disclosures.ts";
import { Fail, exactKeys, isObject, isSeq, lines } from "./verify-kit.ts";

// Part of check 4: disclosures.jsonl read beside events.jsonl, one line per v2 entry in the
// same order. A disclosed value must open its commitment (a swapped value or salt names the seq
// and pointer); a withheld field must be one the manifest's signed `withheld` list names (so a
// reader knows it was held back on purpose); an erased one names its receipt. Counts per pointer
// go to the report (verify-bundle, /verify).

/** Per committed pointer: how many entries disclosed it, withheld it, had it erased (and by which receipts). */
export type PersonalFieldCount = {
  pointer: string;
  disclosed: number;
  withheld: number;
  erased: number;
  receipts: Array<{ receiptSeq: number; request: string; count: number }>;
};

export type PersonalReport = {
  /** Whether the bundle carries disclosures.jsonl (bundles made before disclosure do not: every field withheld). */
  file: boolean;
  /** The manifest's signed claim: pointers the exporter withheld on purpose. */
  withheldClaim: string[];
  fields: PersonalFieldCount[];
  /** Entries whose filter match cannot be checked offline: a member reads a withheld or erased field. */
  filterUncheckable: { count: number; firstSeqs: number[] };
};

type Streamed = { chunks: Iterable<Uint8Array>; lastByte: number | null };

const SALT_HEX = /^[0-9a-f]{64}$/;
const FIRST_SEQS = 20;

function parseDisclosure(seq: number, pointer: string, d: unknown): Disclosure {
  const bad = (why: string) => new Fail(`disclosures.jsonl, seq ${seq}, ${pointer}: ${why}`, seq);
  if (!isObject(d)) throw bad("not an object");
  if (exactKeys(d, ["salt", "value"])) {
    if (typeof d.salt !== "string" || !SALT_HEX.test(d.salt)) throw bad("the salt is not 64 lowercase hex digits");
    return { salt: d.salt, value: d.value };
  }
  if (exactKeys(d, ["withheld"]) && d.withheld === true) return { withheld: true };
  if (exactKeys(d, ["erased"]) && isObject(d.erased) && exactKeys(d.erased, ["receiptSeq", "request"])) {
    const { receiptSeq, request } = d.erased;
    if (!isSeq(receiptSeq) || typeof request !== "string") throw bad("erased must be {receiptSeq, request}");
    if (receiptSeq <= seq) throw bad(`erased by receipt seq ${receiptSeq}, which is not after the entry`);
    return { erased: { receiptSeq, request } };
  }
  throw bad('not {"salt","value"}, {"withheld":true} or {"erased":{…}}');
}

export class DisclosureCheck {
  fail: Fail | null = null;
  readonly #lines: Generator<string> | null;
  readonly #claim: Set<string>;
  readonly #counts = new Map<string, PersonalFieldCount>();
  readonly #uncheckable = { count: 0, firstSeqs: [] as number[] };
  #n = 0;

  constructor(
    file: Streamed | null,
    claim: readonly string[],
    private readonly hasher: LogHasher,
  ) {
    this.#lines = file ? lines(file.chunks, "disclosures.jsonl", file.lastByte) : null;
    this.#claim = new Set(claim);
  }

  /** The entry as the bundle discloses it; a bad disclosure fails the check (and hides the entry's fields). */
  entry(seq: number, entry: Record<string, unknown>): DisclosedView {
    const personal = personalOf(entry);
    if (!personal) return disclosedView(entry, null);
    let fields: Record<string, Disclosure> | null = null;
    try {
      if (this.#lines && !this.fail) fields = this.#read(seq, personal);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.fail ??= e;
      fields = null;
    }
    for (const pointer of Object.keys(personal)) this.#count(pointer, fields?.[pointer] ?? { withheld: true });
    return disclosedView(entry, fields);
  }

  /** An entry whose filter match could not be checked offline. */
  uncheckable(seq: number): void {
    this.#uncheckable.count++;
    if (this.#uncheckable.firstSeqs.length < FIRST_SEQS) this.#uncheckable.firstSeqs.push(seq);
  }

  /** After the last entry: disclosures.jsonl must not have more lines. */
  end(): void {
    if (this.fail || !this.#lines) return;
    try {
      if (!this.#lines.next().done)
        this.fail = new Fail("disclosures.jsonl has more lines than events.jsonl has entries with personal fields");
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.fail = e;
    }
  }

  report(): PersonalReport {
    return {
      file: this.#lines !== null,
      withheldClaim: [...this.#claim].sort(),
      fields: [...this.#counts.values()].sort((a, b) => (a.pointer < b.pointer ? -1 : 1)),
      filterUncheckable: this.#uncheckable,
    };
  }

  /** The summary for check 4's detail ("" when the bundle has no personal fields). */
  summary(): string {
    const t = { disclosed: 0, withheld: 0, erased: 0 };
    for (const c of this.#counts.values()) {
      t.disclosed += c.disclosed;
      t.withheld += c.withheld;
      t.erased += c.erased;
    }
    if (!this.#counts.size) return "";
    const none = this.#lines ? "" : " (no disclosures.jsonl: a bundle made before disclosure)";
    return `; personal fields: ${t.disclosed} disclosed and opening their commitments, ${t.withheld} withheld${none}, ${t.erased} erased`;
  }

  #read(seq: number, personal: Record<string, string>): Record<string, Disclosure> {
    const n = ++this.#n;
    const next = this.#lines!.next();
    if (next.done) throw new Fail(`disclosures.jsonl has no line for seq ${seq} (an entry with personal fields)`, seq);
    let parsed: unknown;
    try {
      parsed = JSON.parse(next.value);
    } catch {
      throw new Fail(`disclosures.jsonl line ${n} is not valid JSON`, seq);
    }
    if (!isObject(parsed) || !exactKeys(parsed, ["seq", "fields"]) || !isObject(parsed.fields))
      throw new Fail(`disclosures.jsonl line ${n} is not {"seq","fields":{…}}`, seq);
    if (parsed.seq !== seq)
      throw new Fail(`disclosures.jsonl line ${n} is for seq ${String(parsed.seq)}, not seq ${seq}`, seq);
    const want = Object.keys(personal).sort().join(" ");
    if (Object.keys(parsed.fields).sort().join(" ") !== want)
      throw new Fail(`disclosures.jsonl, seq ${seq}: the fields are not the entry's committed pointers (${want})`, seq);
    const fields: Record<string, Disclosure> = {};
    for (const [pointer, raw] of Object.entries(parsed.fields)) {
      const d = parseDisclosure(seq, pointer, raw);
      this.#checkOne(seq, pointer, d, personal[pointer]!);
      fields[pointer] = d;
    }
    if (disclosureLine(seq, fields) !== `${next.value}\n`)
      throw new Fail(`disclosures.jsonl line ${n} (seq ${seq}) is not in canonical form`, seq);
    return fields;
  }

  #checkOne(seq: number, pointer: string, d: Disclosure, commitment: string): void {
    const status = disclosureStatus(d);
    if (status === "withheld" && !this.#claim.has(pointer))
      throw new Fail(`seq ${seq}: ${pointer} is withheld but manifest.withheld does not name it`, seq);
    if (status === "disclosed") {
      if (this.#claim.has(pointer))
        throw new Fail(`seq ${seq}: ${pointer} is disclosed although manifest.withheld names it`, seq);
      const { salt, value } = d as { salt: string; value: unknown };
      if (!opensCommitment(commitment, value, salt, this.hasher))
        throw new Fail(
          `seq ${seq}: the disclosed value of ${pointer} does not open its commitment (the value or its salt was changed)`,
          seq,
        );
    }
  }

  #count(pointer: string, d: Disclosure): void {
    let c = this.#counts.get(pointer);
    if (!c) this.#counts.set(pointer, (c = { pointer, disclosed: 0, withheld: 0, erased: 0, receipts: [] }));
    c[disclosureStatus(d)]++;
    if (!("erased" in d)) return;
    const { receiptSeq, request } = d.erased;
    const r = c.receipts.find((x) => x.receiptSeq === receiptSeq && x.request === request);
    if (r) r.count++;
    else c.receipts.push({ receiptSeq, request, count: 1 });
  }
}
