import "server-only";
import { personalCommitment } from "@/lib/core/personal.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { SqlDriver } from "../db/driver.ts";
import { isSet, ownEntriesWithAction, upTo, type ReceiptRead } from "../ledger/store/entries.ts";
import { secretsOf } from "../ledger/store/secrets.ts";
import { ERASURE_RECEIPT_ACTION, erasureReceiptOf, type SeqRange } from "./receipt.ts";

// Verification's view of committed personal fields (docs/retention.md § Erasure). The
// scan has already checked every v2 leaf against its columns (commitments included).
// Here each commitment is checked against what entry_secrets keeps: a kept value must
// open it (a value swapped — even with a salt of its own — does not), and a missing
// value must be listed by an erasure receipt for that field. Anything else is named.

export type ErasedFinding = { firstBadSeq: number; reason: string };

const BATCH = 2000;

type Receipts = Array<{ seq: number; field: string; ranges: SeqRange[] }>;

async function erasureReceipts(db: SqlDriver): Promise<Receipts> {
  const out: Receipts = [];
  for (const row of await ownEntriesWithAction(db, ERASURE_RECEIPT_ACTION)) {
    const r = erasureReceiptOf(row);
    if (r) out.push({ seq: r.seq, field: r.field, ranges: r.parsed });
  }
  return out;
}

const erasedBy = (receipts: Receipts, seq: number, field: string) =>
  receipts.find((r) => r.field === field && r.ranges.some((x) => seq >= x.first && seq <= x.last));

/** The finding for one v2 row, or null. */
function checkRow(
  seq: number,
  personal: Record<string, string>,
  kept: Map<string, { value: string; salt: Uint8Array }>,
  receipts: Receipts,
): ErasedFinding | null {
  for (const [pointer, commitment] of Object.entries(personal)) {
    const s = kept.get(pointer);
    if (s) {
      let opens = false;
      try {
        opens = personalCommitment(s.salt, s.value, nodeHasher) === commitment;
      } catch {
        opens = false;
      }
      if (!opens)
        return {
          firstBadSeq: seq,
          reason: `entry ${seq}: the kept value of ${pointer} does not open its commitment (value or salt modified)`,
        };
    } else if (!erasedBy(receipts, seq, pointer)) {
      return {
        firstBadSeq: seq,
        reason: `entry ${seq}: the value and salt of ${pointer} are missing and no erasure receipt lists them: value deleted without a receipt`,
      };
    }
  }
  return null;
}

/** Null when every commitment is either opened by its kept value or erased by a receipt; else the first bad seq. */
export async function checkErasedFields(
  db: SqlDriver,
  o?: ReceiptRead,
): Promise<{ finding: ErasedFinding | null; visited: number }> {
  const receipts = await erasureReceipts(db);
  let after = 0;
  let visited = 0;
  for (;;) {
    const rows = await db.all<{ seq: number; personal: string }>(
      `SELECT seq, personal FROM entries WHERE seq > ?${upTo(o)} AND ${isSet("personal", o)}` +
        ` AND pruned_by IS NULL ORDER BY seq LIMIT ${BATCH}`,
      [after],
    );
    if (!rows.length) return { finding: null, visited };
    visited += rows.length;
    const seqs = rows.map((r) => Number(r.seq));
    const secrets = await secretsOf(db, seqs);
    for (const r of rows) {
      const seq = Number(r.seq);
      const kept = new Map((secrets.get(seq) ?? []).map((s) => [s.pointer, s]));
      const f = checkRow(seq, JSON.parse(r.personal) as Record<string, string>, kept, receipts);
      if (f) return { finding: f, visited };
    }
    after = seqs.at(-1)!;
  }
}
