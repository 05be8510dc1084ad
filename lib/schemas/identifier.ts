// The one rule for identifiers — every string that names a machine, a resource, a
// route or a trace: an event's requester.id, target.id / service / type, action,
// correlationId and id, an ingest key's source, attribute keys, the explorer's
// filters and the trace search, and what the OTLP and Kubernetes mappings produce
// (they go through validateEvent). Ingest, ingest-key creation, filters, the trace
// page and server actions all ask this module, so the same string is never valid
// in one place and refused in another.
//
// Why these characters: an identifier is compared by its bytes and read by a
// person. Control characters break log lines and terminals; format (Cf) and
// default-ignorable characters (zero-width space, joiners, word joiner, BOM,
// variation selectors, tags, Hangul fillers…) are invisible, so
// `spiffe://demo/pay\u200bments` shows as a second, identical "payments" in the
// service graph and the top lists; bidi controls reorder what is shown; U+2028 /
// U+2029 break lines in JavaScript and log viewers; a lone surrogate is not
// Unicode at all (not representable in UTF-8, so never storable or hashable).
// The set is taken from the engine's Unicode tables (\p{…}), not a hand list, so it
// follows new Unicode versions. Lengths count code points, as a client in Python
// or Go does (SPEC §1 "chars").
//
// Free text (`reason`, attribute string values) keeps format characters — a quoted
// Arabic or Hebrew name needs its bidi marks — and the dashboard shows them as
// visible marks (components/ui/visible-text.tsx and reveal-invisible.ts, which use `findInvisible` below).

import { scanText } from "./text-scan.ts";

/** Characters no identifier may hold: controls (Cc), format (Cf), line/paragraph separators, default-ignorables. */
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const NOT_BLANK = /[^ ]/;

/** Source identities starting with this (any case) are Ledgerline's own: its meta-audit records. */
export const RESERVED_SOURCE_PREFIX = "ledgerline:";

const NAMES: Record<number, string> = {
  0x00: "NULL",
  0x07: "BELL",
  0x08: "BACKSPACE",
  0x09: "CHARACTER TABULATION",
  0x0a: "LINE FEED",
  0x0b: "LINE TABULATION",
  0x0c: "FORM FEED",
  0x0d: "CARRIAGE RETURN",
  0x1b: "ESCAPE",
  0x7f: "DELETE",
  0x85: "NEXT LINE",
  0xad: "SOFT HYPHEN",
  0x34f: "COMBINING GRAPHEME JOINER",
  0x61c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x1160: "HANGUL JUNGSEONG FILLER",
  0x17b4: "KHMER VOWEL INHERENT AQ",
  0x17b5: "KHMER VOWEL INHERENT AA",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
  0xffa0: "HALFWIDTH HANGUL FILLER",
  0xfff9: "INTERLINEAR ANNOTATION ANCHOR",
  0xfffa: "INTERLINEAR ANNOTATION SEPARATOR",
  0xfffb: "INTERLINEAR ANNOTATION TERMINATOR",
  0xe0001: "LANGUAGE TAG",
  0xe007f: "CANCEL TAG",
};

/** `U+200B ZERO WIDTH SPACE` — the code point and, where we know it, its Unicode name. */
export function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  let name = NAMES[cp];
  if (name === undefined) {
    if (cp >= 0xfe00 && cp <= 0xfe0f) name = `VARIATION SELECTOR-${cp - 0xfe00 + 1}`;
    else if (cp >= 0xe0100 && cp <= 0xe01ef) name = `VARIATION SELECTOR-${cp - 0xe0100 + 17}`;
    else if (cp >= 0x180b && cp <= 0x180f) name = "MONGOLIAN FREE VARIATION SELECTOR";
    else if (cp >= 0xe0020 && cp <= 0xe007e) name = `TAG ${String.fromCharCode(cp - 0xe0000)}`;
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) name = "(control character)";
    else if (cp >= 0xd800 && cp <= 0xdfff) name = "(lone surrogate)";
    else if (/\p{Cf}/u.test(String.fromCodePoint(cp))) name = "(format character)";
    else name = "(invisible character)";
  }
  return `${hex} ${name}`;
}

export type Invisible = { codePoint: number; /** 1-based, in code points */ position: number };

/**
 * Every control, format, separator and default-ignorable character in `s`, in order
 * (at most `limit`). Client-safe: the dashboard's visible-text formatter uses it.
 */
export function findInvisible(s: string, limit = Infinity): Invisible[] {
  const out: Invisible[] = [];
  INVISIBLE_ALL.lastIndex = 0;
  let lastIndex = 0;
  let position = 0;
  for (let m = INVISIBLE_ALL.exec(s); m !== null && out.length < limit; m = INVISIBLE_ALL.exec(s)) {
    position += countCodePoints(s, lastIndex, m.index) + 1;
    lastIndex = m.index + m[0].length;
    out.push({ codePoint: m[0].codePointAt(0)!, position });
  }
  INVISIBLE_ALL.lastIndex = 0;
  return out;
}

function countCodePoints(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function firstLoneSurrogate(s: string): Invisible | null {
  let position = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    position++;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return { codePoint: c, position };
    } else if (c >= 0xdc00 && c <= 0xdfff) return { codePoint: c, position };
  }
  return null;
}

const found = (x: Invisible, total: number) =>
  `found ${describeCodePoint(x.codePoint)} at character ${x.position}${total > 1 ? `, and ${total - 1} more` : ""}`;

export type IdentifierRule = {
  /** Maximum length in code points. */
  max: number;
  /** What the value is, for messages that stand alone ("source", "correlation id"); omitted in field errors. */
  label?: string;
  /** Refuse any whitespace (a source identity is one token). */
  noSpaces?: boolean;
  /** Characters only: "" and "  " pass (attribute keys, which JSON allows to be anything printable). */
  allowBlank?: boolean;
};

/**
 * Problems of `value` as an identifier, one sentence each (empty when valid). Every
 * caller uses these exact sentences, so a client sees the same words whether a
 * requester id was refused by ingest or a filter by the explorer.
 */
export function identifierProblems(value: string, rule: IdentifierRule): string[] {
  // The common case on the ingest hot path: printable ASCII within the limit, not blank.
  if (
    value.length <= rule.max &&
    PRINTABLE_ASCII.test(value) &&
    NOT_BLANK.test(value) &&
    !(rule.noSpaces && value.includes(" "))
  )
    return [];
  const problems: string[] = [];
  if (value.length === 0) return rule.allowBlank ? [] : ["must not be empty"];
  const scan = scanText(value);
  if (scan.codePoints > rule.max) problems.push(`must be at most ${rule.max} characters`);
  if (scan.loneSurrogate) {
    problems.push(`must not contain lone surrogates (invalid Unicode; ${found(firstLoneSurrogate(value)!, 1)})`);
  }
  // ASCII without controls cannot hold anything INVISIBLE matches: skip the regex on the hot path.
  if (!scan.ascii || scan.otherControl || scan.tabOrNewline) {
    const bad = findInvisible(value, 100);
    if (bad.length) {
      const first = bad[0]!;
      const control = first.codePoint < 0x20 || (first.codePoint >= 0x7f && first.codePoint <= 0x9f);
      problems.push(
        control
          ? `must not contain control characters (${found(first, bad.length)})`
          : `must not contain invisible, format or bidirectional characters, which make one name look like another (${found(first, bad.length)})`,
      );
    }
  }
  if (!rule.allowBlank && value.trim() === "" && problems.length === 0) problems.push("must not be only whitespace");
  if (rule.noSpaces && /\s/u.test(value) && value.trim() !== "") problems.push("must not contain spaces");
  return problems;
}

/**
 * Problems of free text (an event's `reason`): no controls (one event is one line in
 * logs and CSV), no lone surrogates; format characters are kept and shown visibly.
 */
export function freeTextProblems(value: string, max: number): string[] {
  if (value.length <= max && PRINTABLE_ASCII.test(value)) return [];
  if (value.length === 0) return ["must not be empty (omit optional fields instead)"];
  const problems: string[] = [];
  const scan = scanText(value);
  if (scan.codePoints > max) problems.push(`must be at most ${max} characters`);
  if (scan.loneSurrogate) {
    problems.push(`must not contain lone surrogates (invalid Unicode; ${found(firstLoneSurrogate(value)!, 1)})`);
  }
  if (scan.otherControl || scan.tabOrNewline) {
    const bad = findInvisible(value, 100).filter(
      (x) => x.codePoint < 0x20 || (x.codePoint >= 0x7f && x.codePoint <= 0x9f),
    );
    problems.push(`must not contain control characters (${found(bad[0]!, bad.length)})`);
  }
  return problems;
}

export type IdentifierResult = { ok: true; value: string } | { ok: false; detail: string };

/** One identifier checked on its own: the value, or every problem in one sentence. */
export function checkIdentifier(value: string, rule: IdentifierRule): IdentifierResult {
  const problems = identifierProblems(value, rule);
  return problems.length ? { ok: false, detail: problems.join("; ") } : { ok: true, value };
}

/** True for source identities in Ledgerline's own namespace (`ledgerline:…`, any case). */
export function isReservedSource(source: string): boolean {
  return source.slice(0, RESERVED_SOURCE_PREFIX.length).toLowerCase() === RESERVED_SOURCE_PREFIX;
}

/** Maximum length of a source identity (an ingest key's), as for requester.id. */
export const SOURCE_MAX = 512;

/** An ingest key's source identity: an identifier without spaces, outside the reserved namespace. */
export function sourceProblems(source: string): string[] {
  const problems = identifierProblems(source, { max: SOURCE_MAX, noSpaces: true });
  if (isReservedSource(source)) {
    problems.push(
      `must not start with "${RESERVED_SOURCE_PREFIX}": that namespace is reserved for Ledgerline's own meta-audit records (ledgerline:dashboard, ledgerline:cli), and entries sent under it would pass for them`,
    );
  }
  return problems;
}
