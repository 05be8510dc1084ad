import { describeCodePoint, findInvisible } from "@/lib/schemas/identifier.ts";

// Free text (an entry's reason, attribute strings) keeps invisible and format
// characters exactly as the service sent them — they are part of the evidence — but
// the dashboard must never let them act: a RIGHT-TO-LEFT OVERRIDE in a reason makes
// "evil" display as "live", a ZERO WIDTH SPACE makes two names look equal. So every
// view shows them as visible marks (⟨U+202E⟩), with the character's name on hover.
// The same characters the identifier rule refuses (lib/schemas/identifier.ts);
// entries stored before that rule may hold them in identifiers too, so identifiers
// go through here as well. Pure and client-safe; <VisibleText> renders it.

export type VisibleSegment = { text: string } | { mark: string; title: string };

/** `s` split into plain text and one mark per invisible, format, control or separator character. */
export function revealInvisible(s: string): VisibleSegment[] {
  const found = findInvisible(s);
  if (found.length === 0) return [{ text: s }];
  const out: VisibleSegment[] = [];
  let i = 0; // UTF-16 index into s
  let cp = 0; // code points consumed
  for (const f of found) {
    const start = i;
    while (cp < f.position - 1) {
      const c = s.codePointAt(i)!;
      i += c > 0xffff ? 2 : 1;
      cp++;
    }
    if (i > start) out.push({ text: s.slice(start, i) });
    const hex = f.codePoint.toString(16).toUpperCase().padStart(4, "0");
    out.push({ mark: `⟨U+${hex}⟩`, title: describeCodePoint(f.codePoint) });
    i += f.codePoint > 0xffff ? 2 : 1;
    cp++;
  }
  if (i < s.length) out.push({ text: s.slice(i) });
  return out;
}

/** The same as one string (for title attributes, SVG labels and chart tooltips). */
export function visibleText(s: string): string {
  return revealInvisible(s)
    .map((p) => ("text" in p ? p.text : p.mark))
    .join("");
}
