import type { PersonalFieldCount, PersonalReport } from "./verify-disclosures.ts";

// The words for a bundle's personal fields, shared by `verify-bundle` and the /verify page.

/** "erased (receipt seq 40, request GDPR-7)" — one phrase per receipt. */
export function erasedPhrase(c: PersonalFieldCount): string {
  const by = c.receipts.map((r) => `receipt seq ${r.receiptSeq}, request ${r.request}`).join("; ");
  return `${c.erased} erased${by ? ` (${by})` : ""}`;
}

/** "4 withheld" + why: claimed by the manifest, or an old bundle with no disclosures at all. */
export function withheldPhrase(p: PersonalReport, c: PersonalFieldCount): string {
  if (!c.withheld) return "0 withheld";
  if (!p.file) return `${c.withheld} withheld (the bundle has no disclosures.jsonl: made before disclosure)`;
  return `${c.withheld} withheld on purpose (manifest.withheld)`;
}

/** One line per pointer, and the entries whose filter match could not be checked; [] without personal fields. */
export function personalLines(p: PersonalReport): string[] {
  if (!p.fields.length) return [];
  const width = Math.max(...p.fields.map((c) => c.pointer.length));
  const out = ["Personal fields (per pointer, entries that disclosed / withheld / had it erased):"];
  for (const c of p.fields)
    out.push(`  ${c.pointer.padEnd(width)}  ${c.disclosed} disclosed · ${withheldPhrase(p, c)} · ${erasedPhrase(c)}`);
  const u = p.filterUncheckable;
  if (u.count)
    out.push(
      `Filter: ${u.count} entries not checkable offline (withheld or erased field): seq ${u.firstSeqs.join(", ")}${u.count > u.firstSeqs.length ? ", …" : ""}`,
    );
  return out;
}
