import { canonicalJson } from "../canonical-json.ts";
import { matchesFilter, type AttributesText, type EventFilter, type FilterableEntry } from "../event-filter.ts";
import { withValueAt } from "../personal.ts";

// disclosures.jsonl (docs/format.md § 5.1): what a bundle says about each committed personal
// field of its v2 entries (§ 8.3). events.jsonl keeps the leaf form (commitments only, so every
// line still hashes to its leaf); this file gives, per v2 entry, each field's value and salt —
// which a verifier hashes back to the commitment — or says why it does not: withheld by the
// exporter (the manifest's signed `withheld` list names the pointer) or erased (the receipt).

/** One committed field as the bundle tells it. */
export type Disclosure =
  { salt: string; value: unknown } | { withheld: true } | { erased: { receiptSeq: number; request: string } };

type DisclosureStatus = "disclosed" | "withheld" | "erased";

export function disclosureStatus(d: Disclosure): DisclosureStatus {
  return "salt" in d ? "disclosed" : "withheld" in d ? "withheld" : "erased";
}

/**
 * One disclosures.jsonl line, newline included: `{"seq":n,"fields":JCS(fields)}`.
 * Invariant: `fields` has exactly the pointers of the entry's `personal` member.
 */
export function disclosureLine(seq: number, fields: Record<string, Disclosure>): string {
  return `{"seq":${seq},"fields":${canonicalJson(fields)}}\n`;
}

/** A v2 leaf's commitments (pointer → hex), or null for a v1 entry. */
export function personalOf(entry: Record<string, unknown>): Record<string, string> | null {
  const p = entry.personal;
  return p !== null && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, string>) : null;
}

/** An entry as a reader of the bundle sees it: disclosed values put back; `hidden` = pointers not disclosed. */
export type DisclosedView = { entry: Record<string, unknown>; hidden: string[] };

/** The view of `entry` (leaf form) given its fields' disclosures (absent: every field hidden). */
export function disclosedView(
  entry: Record<string, unknown>,
  fields: Record<string, Disclosure> | null,
): DisclosedView {
  const personal = personalOf(entry);
  if (!personal) return { entry, hidden: [] };
  const { leafVersion: _v, personal: _p, ...rest } = entry;
  let view: Record<string, unknown> = rest;
  const hidden: string[] = [];
  for (const pointer of Object.keys(personal).sort()) {
    const d = fields?.[pointer];
    if (d && "salt" in d) view = withValueAt(view, pointer, d.value);
    else hidden.push(pointer);
  }
  return { entry: view, hidden };
}

// The filter members that read a committable field (event-filter.ts matchesFilter): when the
// field is hidden the bundle cannot show the member holds, nor that it does not.
const FILTER_READS: ReadonlyArray<[keyof EventFilter, (pointer: string) => boolean]> = [
  ["requester", (p) => p === "/requester/id"],
  ["q", (p) => p === "/reason" || p.startsWith("/attributes/")],
];

/**
 * Whether an entry (as disclosed) matches `filter`: "uncheckable" when a member reads a hidden
 * field and every other member holds — the server matched the value it kept; offline nobody can.
 */
export function filterOutcome(
  view: DisclosedView,
  filter: EventFilter,
  attributesText: AttributesText,
): "match" | "no-match" | "uncheckable" {
  const blind = FILTER_READS.filter(([k, reads]) => filter[k] !== undefined && view.hidden.some(reads)).map(([k]) => k);
  const rest: EventFilter = { ...filter };
  for (const k of blind) delete rest[k];
  if (!matchesFilter(view.entry as unknown as FilterableEntry, rest, attributesText)) return "no-match";
  return blind.length ? "uncheckable" : "match";
}
