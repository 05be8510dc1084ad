import { describe, expect, it } from "vitest";
import { checkCorrelationId } from "./correlation-id.ts";
import { parseEventFilter } from "./event-filter.ts";
import { validateEvent, type ValidateEventResult } from "./event.ts";
import {
  describeCodePoint,
  findInvisible,
  freeTextProblems,
  identifierProblems,
  isReservedSource,
  sourceProblems,
} from "./identifier.ts";

// Security regression (issue 13 item 6, lookalike identities): zero-width, format
// (Cf), default-ignorable and U+2028/U+2029 characters were accepted in identifiers,
// so `spiffe://demo/pay\u200bments` showed as a second, identical "payments" in the
// service graph, lanes and top lists. And (issue 17 item 5) there were five copies
// of the identifier rule; the ingest-key source counted UTF-16 units and skipped
// the lone-surrogate check. One rule now, named code points in every refusal.

const event = (patch: Record<string, unknown>) => ({
  timestamp: "2024-05-01T12:00:00Z",
  eventType: "read",
  requester: { id: "spiffe://demo/orders" },
  target: { id: "db://payments-pg/cards", service: "payments" },
  outcome: "success",
  ...patch,
});

function errorsOf(r: ValidateEventResult) {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.event)}`);
  return r.errors;
}

// Characters that render as nothing (or reorder text) but make two strings differ.
const LOOKALIKE: Array<[string, string]> = [
  ["\u200b", "U+200B ZERO WIDTH SPACE"],
  ["\u200c", "U+200C ZERO WIDTH NON-JOINER"],
  ["\u200d", "U+200D ZERO WIDTH JOINER"],
  ["\u200e", "U+200E LEFT-TO-RIGHT MARK"],
  ["\u2060", "U+2060 WORD JOINER"],
  ["\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"],
  ["\u00ad", "U+00AD SOFT HYPHEN"],
  ["\u2028", "U+2028 LINE SEPARATOR"],
  ["\u2029", "U+2029 PARAGRAPH SEPARATOR"],
  ["\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"],
  ["\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"],
  ["\u034f", "U+034F COMBINING GRAPHEME JOINER"],
  ["\u3164", "U+3164 HANGUL FILLER"],
  ["\ufe0f", "U+FE0F VARIATION SELECTOR-16"],
  ["\u{e0041}", "U+E0041 TAG A"],
  ["\u0600", "U+0600 (format character)"],
];

describe("identifier fields refuse invisible and format characters, naming the code point", () => {
  const fields: Array<[string, (v: string) => Record<string, unknown>]> = [
    ["/requester/id", (v) => event({ requester: { id: v } })],
    ["/target/id", (v) => event({ target: { id: v } })],
    ["/target/service", (v) => event({ target: { id: "t", service: v } })],
    ["/target/type", (v) => event({ target: { id: "t", type: v } })],
    ["/action", (v) => event({ action: v })],
    ["/correlationId", (v) => event({ correlationId: v })],
    ["/id", (v) => event({ id: v })],
  ];
  for (const [pointer, set] of fields) {
    it.each(LOOKALIKE)(`${pointer}: %j is refused`, (ch, name) => {
      const errs = errorsOf(validateEvent(set(`pay${ch}ments`)));
      expect(errs.map((e) => e.pointer)).toEqual([pointer]);
      expect(errs[0]!.detail).toContain(name);
      expect(errs[0]!.detail).toContain("at character 4");
    });
  }

  it("the service-graph lookalike from the review is refused", () => {
    const errs = errorsOf(validateEvent(event({ requester: { id: "spiffe://demo/pay\u200bments" } })));
    expect(errs).toEqual([
      {
        pointer: "/requester/id",
        detail:
          "must not contain invisible, format or bidirectional characters, which make one name look like another (found U+200B ZERO WIDTH SPACE at character 18)",
      },
    ]);
  });

  it("attribute keys follow the identifier rule; attribute string values and reason keep format characters", () => {
    expect(errorsOf(validateEvent(event({ attributes: { "us\u200ber": 1 } })))[0]).toMatchObject({
      pointer: "/attributes/us\u200ber",
      detail: expect.stringContaining("U+200B ZERO WIDTH SPACE"),
    });
    // Free text may quote right-to-left names: kept as sent (the dashboard shows the marks).
    expect(
      validateEvent(event({ reason: "user \u202eevil\u202c said \u200bhi", attributes: { note: "a\u2066b" } })).ok,
    ).toBe(true);
  });

  it("ordinary non-ASCII identifiers stay valid (letters, emoji, no-break space)", () => {
    for (const ok of ["zürich-東京", "\u{1F600}", "a\u00a0b", "ﬁle", "שלום"])
      expect(validateEvent(event({ requester: { id: ok }, correlationId: ok })).ok).toBe(true);
  });
});

describe("one rule everywhere: filters, correlation ids, sources", () => {
  it.each(LOOKALIKE)("filters and the trace search refuse %j too", (ch, name) => {
    for (const field of ["requester", "target", "service", "source", "action"]) {
      const r = parseEventFilter({ [field]: `pay${ch}ments*` });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]!.detail).toContain(name);
    }
    const c = checkCorrelationId(`trace${ch}1`);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.detail).toContain(name);
  });

  it("a source counts code points (512 emoji are 1024 UTF-16 units) and refuses lone surrogates", () => {
    expect(sourceProblems("\u{1F600}".repeat(512))).toEqual([]);
    expect(sourceProblems("\u{1F600}".repeat(513))).toEqual(["must be at most 512 characters"]);
    expect(sourceProblems("spiffe://a/\ud800")[0]).toContain("lone surrogates");
    expect(sourceProblems("spiffe://a/\u200bb")[0]).toContain("U+200B ZERO WIDTH SPACE");
    expect(sourceProblems("spiffe://a b")).toEqual(["must not contain spaces"]);
  });

  it("the ledgerline: namespace is reserved, in any case", () => {
    for (const s of ["ledgerline:dashboard", "ledgerline:cli", "LEDGERLINE:dashboard", "ledgerline://x"]) {
      expect(isReservedSource(s)).toBe(true);
      expect(sourceProblems(s).join()).toContain("reserved");
    }
    expect(isReservedSource("spiffe://ledgerline:dashboard")).toBe(false);
  });
});

describe("identifier.ts pieces", () => {
  it("describes code points by name, or by kind when the name is not in the table", () => {
    expect(describeCodePoint(0x200b)).toBe("U+200B ZERO WIDTH SPACE");
    expect(describeCodePoint(0)).toBe("U+0000 NULL");
    expect(describeCodePoint(0x90)).toBe("U+0090 (control character)");
    expect(describeCodePoint(0xe0100)).toBe("U+E0100 VARIATION SELECTOR-17");
  });

  it("finds every invisible character with its 1-based code-point position", () => {
    expect(findInvisible("\u{1F600}a\u200bb\u202e")).toEqual([
      { codePoint: 0x200b, position: 3 },
      { codePoint: 0x202e, position: 5 },
    ]);
    expect(findInvisible("plain ascii")).toEqual([]);
  });

  it("identifier and free-text problems", () => {
    expect(identifierProblems("", { max: 5 })).toEqual(["must not be empty"]);
    expect(identifierProblems("   ", { max: 5 })).toEqual(["must not be only whitespace"]);
    expect(identifierProblems("a\tb", { max: 5 })).toEqual([
      "must not contain control characters (found U+0009 CHARACTER TABULATION at character 2)",
    ]);
    expect(identifierProblems("a\u200bb\u200bc", { max: 3 })).toEqual([
      "must be at most 3 characters",
      "must not contain invisible, format or bidirectional characters, which make one name look like another (found U+200B ZERO WIDTH SPACE at character 2, and 1 more)",
    ]);
    expect(freeTextProblems("quoted \u202ename", 100)).toEqual([]);
    expect(freeTextProblems("two\nlines", 100)).toEqual([
      "must not contain control characters (found U+000A LINE FEED at character 4)",
    ]);
  });
});
