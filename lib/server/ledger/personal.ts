import "server-only";
import { withValueAt } from "@/lib/core/personal.ts";
import type { Entry } from "./entry.ts";
import type { SecretRow } from "./store/secrets.ts";

// Readers of v2 leaves (docs/format.md § 8.3): the leaf holds commitments only; what a
// person sees is the entry with each value put back from entry_secrets — or, once
// erased, the field marked erased and never its commitment passed off as a value.

export type PersonalView = {
  /** The entry as sent: values restored where kept; leafVersion/personal removed. */
  entry: Entry;
  /** Committed pointers whose value and salt are gone (erased, or a row missing). */
  erased: string[];
};

/** The entry `e` (as rowToEntry rebuilt it) with its kept personal values restored. */
export function withPersonal(e: Entry, secrets: SecretRow[]): PersonalView {
  if (!e.personal) return { entry: e, erased: [] };
  const { leafVersion: _v, personal, ...rest } = e;
  let entry = rest as Entry;
  const erased: string[] = [];
  for (const pointer of Object.keys(personal)) {
    const s = secrets.find((x) => x.pointer === pointer);
    if (s) entry = withValueAt(entry, pointer, JSON.parse(s.value) as unknown);
    else erased.push(pointer);
  }
  return { entry, erased };
}
