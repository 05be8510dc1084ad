import "server-only";
import { toHex } from "@/lib/core/bytes.ts";
import { disclosureLine, personalOf, type Disclosure } from "@/lib/core/bundle/disclosures.ts";
import { personalCommitment } from "@/lib/core/personal.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { SqlDriver } from "../db/driver.ts";
import { ownEntriesWithAction } from "../ledger/store/entries.ts";
import { secretsOf, type SecretRow } from "../ledger/store/secrets.ts";
import { ERASURE_RECEIPT_ACTION, erasureReceiptOf, type SeqRange } from "../retention/receipt.ts";
import { BundleBuildError } from "./build-error.ts";

// The disclosures.jsonl lines of a bundle (docs/format.md § 5.1), one page of entries at a
// time (the build never holds the whole bundle): each committed field of a v2 entry is
// disclosed with its kept value and salt, withheld when the exporter asked, or marked erased
// with the receipt that lists it. A kept value that does not open its commitment, or a value
// gone without a receipt, is tampering: the build stops and says so rather than exporting it.

type Receipt = { seq: number; field: string; request: string; ranges: SeqRange[] };

async function erasureReceipts(db: SqlDriver): Promise<Receipt[]> {
  const out: Receipt[] = [];
  for (const row of await ownEntriesWithAction(db, ERASURE_RECEIPT_ACTION)) {
    const r = erasureReceiptOf(row);
    if (r) out.push({ seq: r.seq, field: r.field, request: r.request, ranges: r.parsed });
  }
  return out;
}

export class Discloser {
  /** How many lines were written: none means the bundle holds no v2 entry and gets no disclosures.jsonl. */
  lines = 0;
  #page = new Map<number, SecretRow[]>();
  #receipts: Receipt[] | null = null;

  constructor(
    private readonly db: SqlDriver,
    private readonly withheld: ReadonlySet<string>,
  ) {}

  /** Loads the kept values and salts of one page's v2 entries. */
  async load(entries: ReadonlyArray<{ seq: number; personal?: unknown }>): Promise<void> {
    const seqs = entries.filter((e) => e.personal).map((e) => e.seq);
    this.#page = seqs.length ? await secretsOf(this.db, seqs) : new Map();
  }

  /** The entry's disclosures.jsonl line, or null for a v1 entry. */
  async line(entry: { seq: number }): Promise<string | null> {
    const personal = personalOf(entry as Record<string, unknown>);
    if (!personal) return null;
    const kept = this.#page.get(entry.seq) ?? [];
    const fields: Record<string, Disclosure> = {};
    for (const [pointer, commitment] of Object.entries(personal)) {
      const s = kept.find((x) => x.pointer === pointer);
      if (!s) fields[pointer] = { erased: await this.#erasure(entry.seq, pointer) };
      else if (this.withheld.has(pointer)) fields[pointer] = { withheld: true };
      else fields[pointer] = disclosed(entry.seq, pointer, commitment, s);
    }
    this.lines++;
    return disclosureLine(entry.seq, fields);
  }

  async #erasure(seq: number, pointer: string): Promise<{ receiptSeq: number; request: string }> {
    const find = () =>
      this.#receipts!.find((r) => r.field === pointer && r.ranges.some((x) => seq >= x.first && seq <= x.last));
    this.#receipts ??= await erasureReceipts(this.db);
    // An erasure running during the build appends its receipt before it deletes: read them again once.
    let r = find();
    if (!r) {
      this.#receipts = await erasureReceipts(this.db);
      r = find();
    }
    if (!r)
      throw new BundleBuildError(
        `entry seq ${seq}: the value of ${pointer} is gone and no erasure receipt lists it (deleted without a receipt — tampering); run a full verification on /integrity`,
      );
    return { receiptSeq: r.seq, request: r.request };
  }
}

function disclosed(seq: number, pointer: string, commitment: string, s: SecretRow): Disclosure {
  if (personalCommitment(s.salt, s.value, nodeHasher) !== commitment)
    throw new BundleBuildError(
      `entry seq ${seq}: the kept value of ${pointer} does not open its commitment (value or salt modified — tampering); run a full verification on /integrity`,
    );
  return { salt: toHex(s.salt), value: JSON.parse(s.value) as unknown };
}
