import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { rowToEntry, type Entry, type EntryRow } from "../ledger/entry.ts";
import { withPersonal } from "../ledger/personal.ts";
import { entryAt } from "../ledger/store/entries.ts";
import { secretsOf } from "../ledger/store/secrets.ts";
import { erasureReceiptOf } from "../retention/receipt.ts";

// What a person reads for a stored row (docs/retention.md § Erasure): a v2 leaf's kept
// personal values put back, and each erased field named with its receipt — "erased on
// <date> (request <ref>)" — never its commitment shown as if it were a value.

export type ErasedField = {
  pointer: string;
  erasedAt: string | null;
  request: string | null;
  receiptSeq: number | null;
};

export type ReadableEntry = { entry: Entry; erased: ErasedField[] };

type RangeRow = { receipt_seq: number; first_seq: number; last_seq: number; pointer: string };

/** The erasure receipts covering `pointers` of `seq`, by pointer (receipt time and request). */
async function erasuresOf(db: SqlDriver, seq: number, pointers: string[]): Promise<ErasedField[]> {
  const ranges = await db.all<RangeRow>(
    "SELECT receipt_seq, first_seq, last_seq, pointer FROM erased_ranges WHERE first_seq <= ? AND last_seq >= ?",
    [seq, seq],
  );
  const out: ErasedField[] = [];
  for (const pointer of pointers) {
    const r = ranges.find((x) => x.pointer === pointer);
    const row = r ? await entryAt(db, Number(r.receipt_seq)) : undefined;
    const receipt = row ? erasureReceiptOf(row) : null;
    out.push({
      pointer,
      erasedAt: row?.received_at ?? null,
      request: receipt?.request ?? null,
      receiptSeq: r ? Number(r.receipt_seq) : null,
    });
  }
  return out;
}

/** The readable form of each row, in order (v1 rows unchanged, no erased fields). */
export async function readableRows(db: SqlDriver, rows: EntryRow[]): Promise<ReadableEntry[]> {
  const v2 = rows.filter((r) => r.personal != null && r.pruned_by == null).map((r) => Number(r.seq));
  const secrets = v2.length ? await secretsOf(db, v2) : new Map();
  const out: ReadableEntry[] = [];
  for (const r of rows) {
    const e = rowToEntry(r);
    if (r.personal == null || r.pruned_by != null) {
      out.push({ entry: e, erased: [] });
      continue;
    }
    const view = withPersonal(e, secrets.get(Number(r.seq)) ?? []);
    out.push({ entry: view.entry, erased: view.erased.length ? await erasuresOf(db, Number(r.seq), view.erased) : [] });
  }
  return out;
}
