import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { entryAt, ownEntriesWithAction } from "../ledger/store/entries.ts";
import { listPersonalFields } from "./personal-store.ts";

// personal_fields is configuration, not evidence: an insider with the database can delete a
// row (or add one) without the declare/undeclare use cases, and later events would then
// keep a personal value in the leaf for ever — unerasable — with nothing in the log saying
// so. The log does say what the declarations should be: replaying the
// `retention.personal-field.declare` / `.undeclare` entries gives the active set, each with
// the seq of its declaring entry. The integrity pass compares the table with that replay.

export const DECLARE_ACTION = "retention.personal-field.declare";
export const UNDECLARE_ACTION = "retention.personal-field.undeclare";

type Declared = Map<string, number>;

const keyOf = (source: string, pointer: string) => `${source} ${pointer}`;

/** The declarations the log implies: source+pointer → seq of the entry that declared it last. */
async function declarationsFromLog(db: SqlDriver): Promise<Declared> {
  const rows = [
    ...(await ownEntriesWithAction(db, DECLARE_ACTION)),
    ...(await ownEntriesWithAction(db, UNDECLARE_ACTION)),
  ].sort((a, b) => Number(a.seq) - Number(b.seq));
  const out: Declared = new Map();
  for (const r of rows) {
    if (r.attributes === null || r.pruned_by != null) continue;
    const a = JSON.parse(r.attributes) as { source?: unknown; pointer?: unknown };
    if (typeof a.source !== "string" || typeof a.pointer !== "string") continue;
    const k = keyOf(a.source, a.pointer);
    if (r.action === DECLARE_ACTION) out.set(k, Number(r.seq));
    else out.delete(k);
  }
  return out;
}

/** A row naming a declaration whose body retention pruned cannot be compared (its receipt hashed it): not a finding. */
async function prunedDeclaration(db: SqlDriver, seq: number): Promise<boolean> {
  return (await entryAt(db, seq))?.pruned_by != null;
}

/** What differs between personal_fields and the log's declarations (empty when they agree). */
export async function checkDeclarations(db: SqlDriver): Promise<string[]> {
  const expected = await declarationsFromLog(db);
  const problems: string[] = [];
  for (const row of await listPersonalFields(db)) {
    const k = keyOf(row.source, row.pointer);
    const seq = expected.get(k);
    if (seq === undefined && (await prunedDeclaration(db, row.auditSeq))) continue;
    if (seq === undefined)
      problems.push(`personal field ${row.pointer} of ${row.source} is declared in the table but not in the log`);
    else if (seq !== row.auditSeq)
      problems.push(
        `personal field ${row.pointer} of ${row.source} names seq ${row.auditSeq}, the log's declaration is seq ${seq}`,
      );
    expected.delete(k);
  }
  for (const [k, seq] of expected) {
    const [source, pointer] = k.split(" ");
    problems.push(
      `personal field ${pointer} of ${source}, declared at seq ${seq}, is missing from the table: later events keep it in the leaf (declare it again)`,
    );
  }
  return problems;
}
