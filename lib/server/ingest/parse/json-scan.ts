// A strict, iterative RFC 8259 syntax scanner run over a request body BEFORE JSON.parse.
//
// Why it exists: JSON.parse recurses per nesting level (a hostile `[[[[…` of a megabyte can
// exhaust the stack) and silently keeps the last of duplicate keys (an audit log must never
// drop data the sender sent). The scanner walks with an explicit stack, stops at the first
// level beyond `maxDepth`, compares keys after unescaping (so "a" and "\u0061" collide), and
// — because it implements the full grammar — JSON.parse afterwards cannot fail, and every
// syntax error gets a precise offset.
//
// It builds no values; JSON.parse still does that. JSON.parse rounds every number to the
// nearest double, so `1.00000000000000000001` becomes 1 and `1e-400` becomes 0: the
// scanner, which still sees the text, can list the numbers whose value that changes
// (`inexactNumbers`), so an audit log refuses them instead of storing something else.

export type JsonPath = Array<string | number>;

export type JsonScanIssue =
  | { kind: "syntax"; offset: number; detail: string }
  | { kind: "depth"; offset: number }
  | { kind: "too-many-items"; offset: number }
  | { kind: "duplicate-key"; offset: number; key: string; path: JsonPath };

export type JsonRootKind = "object" | "array" | "scalar";

/** A number whose JSON.parse value is not the number written (`text`), at `path`. */
export type InexactNumber = { path: JsonPath; text: string; parsed: number };

export type JsonScanResult =
  | { ok: true; root: JsonRootKind; rootItems: number; inexactNumbers: InexactNumber[] }
  | { ok: false; root: JsonRootKind | null; issues: JsonScanIssue[] };

export type JsonScanOptions = {
  start?: number;
  end?: number;
  /** Deepest allowed nesting of arrays/objects; the root container is level 1. */
  maxDepth: number;
  /** Stop as soon as a root array holds more elements than this. */
  maxRootItems?: number;
  /** Duplicate keys collected before the scan stops recording them (it still validates). */
  maxIssues?: number;
};

/** Sign, significant digits and exponent of a decimal numeral: equal keys ⇔ equal values (−0 = 0). */
function decimalKey(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  let digits = m[2]! + (m[3] ?? "");
  let exp = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  digits = digits.replace(/^0+/, "");
  if (digits === "") return "0";
  const trimmed = digits.replace(/0+$/, "");
  exp += digits.length - trimmed.length;
  return `${m[1]}${trimmed}e${exp}`;
}

/**
 * True when the JSON number `text` has exactly the value JSON.parse gives it: the
 * decimal it was written as equals the shortest decimal of the double (what JCS and
 * JSON.stringify write back). Short integers are always exact.
 */
export function isExactNumber(text: string, parsed = Number(text)): boolean {
  // Fast paths, in order of cost: at most 15 characters without an exponent hold at most 15
  // significant digits, which every double round-trips (DBL_DIG); a number written the way
  // JavaScript writes it (most senders) is its own shortest form.
  if (text.length <= 15 && text.indexOf("e") < 0 && text.indexOf("E") < 0) return true;
  if (!Number.isFinite(parsed)) return false;
  const shortest = String(parsed);
  if (shortest === text) return true;
  return decimalKey(text) === decimalKey(shortest.replace("e+", "e"));
}

type Frame = { isArray: boolean; keys: Set<string> | null; key: string; index: number };

// What the scanner expects next.
const EXPECT_VALUE = 0;
const EXPECT_VALUE_OR_CLOSE = 1; // just after "["
const EXPECT_KEY_OR_CLOSE = 2; // just after "{"
const EXPECT_KEY = 3; // after "," in an object
const EXPECT_COLON = 4;
const EXPECT_COMMA_OR_CLOSE = 5; // after a value

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

type StringScan = { end: number; escaped: boolean } | { error: string; offset: number };

function scanString(text: string, start: number, end: number): StringScan {
  let escaped = false;
  let i = start + 1;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { end: i + 1, escaped };
    if (c === 0x5c) {
      escaped = true;
      const e = i + 1 < end ? text.charCodeAt(i + 1) : -1;
      if (e === 0x75) {
        for (let k = i + 2; k < i + 6; k++) {
          if (k >= end || !isHex(text.charCodeAt(k))) return { error: "invalid \\u escape in string", offset: i };
        }
        i += 6;
      } else if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else {
        return { error: "invalid escape in string", offset: i };
      }
    } else if (c < 0x20) {
      return { error: "unescaped control character in string", offset: i };
    } else {
      i++;
    }
  }
  return { error: "unterminated string", offset: start };
}

/** End offset of the number starting at `start`, or -1 when it is malformed. */
function scanNumber(text: string, start: number, end: number): number {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (i < end && text.charCodeAt(i) === 0x30) {
    i++;
  } else if (i < end && text.charCodeAt(i) >= 0x31 && text.charCodeAt(i) <= 0x39) {
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  } else {
    return -1;
  }
  if (i < end && text.charCodeAt(i) === 0x2e) {
    i++;
    if (!(i < end && isDigit(text.charCodeAt(i)))) return -1;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  }
  if (i < end && (text.charCodeAt(i) === 0x65 || text.charCodeAt(i) === 0x45)) {
    i++;
    if (i < end && (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d)) i++;
    if (!(i < end && isDigit(text.charCodeAt(i)))) return -1;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

function describe(text: string, i: number): string {
  const ch = text.codePointAt(i) ?? 0;
  return ch >= 0x21 && ch <= 0x7e
    ? `'${String.fromCharCode(ch)}'`
    : `U+${ch.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The scan's position and what it has collected; one per scanJson call, passed to each step. */
class Scanner {
  i: number;
  expect = EXPECT_VALUE;
  root: JsonRootKind | null = null;
  rootItems = 0;
  readonly frames: Frame[] = [];
  readonly duplicates: JsonScanIssue[] = [];
  readonly inexactNumbers: InexactNumber[] = [];
  readonly maxIssues: number;
  readonly end: number;

  constructor(
    readonly text: string,
    readonly opts: JsonScanOptions,
  ) {
    this.i = opts.start ?? 0;
    this.end = opts.end ?? text.length;
    this.maxIssues = opts.maxIssues ?? 100;
  }
}

// Each step reads the token at s.i, advances, and returns the issue that stops the scan (or null).
type Step = JsonScanIssue | null;

const syntax = (offset: number, detail: string): JsonScanIssue => ({ kind: "syntax", offset, detail });

/**
 * Scans text[start, end) as one JSON text.
 * Invariants: O(length) time, stack depth independent of the input, never throws; `ok` is
 * true exactly when JSON.parse would succeed and no object repeats a key (compared after
 * unescaping) and the depth and root-item limits hold. Stops at the first syntax, depth or
 * item-count issue; duplicate keys are all collected (up to maxIssues).
 */
export function scanJson(text: string, opts: JsonScanOptions): JsonScanResult {
  const s = new Scanner(text, opts);
  const end = s.end;
  for (;;) {
    while (s.i < end && isWhitespace(text.charCodeAt(s.i))) s.i++;
    if (s.i >= end) {
      if (s.frames.length === 0 && s.expect === EXPECT_COMMA_OR_CLOSE) break;
      return {
        ok: false,
        root: s.root,
        issues: [syntax(s.i, s.root === null ? "no JSON value" : "unexpected end of input")],
      };
    }
    const c = text.charCodeAt(s.i);
    const expect = s.expect;
    const issue =
      expect === EXPECT_VALUE || expect === EXPECT_VALUE_OR_CLOSE
        ? stepValue(s, c)
        : expect === EXPECT_KEY_OR_CLOSE || expect === EXPECT_KEY
          ? stepKey(s, c)
          : expect === EXPECT_COLON
            ? stepColon(s, c)
            : stepCommaOrClose(s, c);
    if (issue !== null) return { ok: false, root: s.root, issues: [issue] };
  }
  if (s.duplicates.length > 0) return { ok: false, root: s.root, issues: s.duplicates };
  return { ok: true, root: s.root ?? "scalar", rootItems: s.rootItems, inexactNumbers: s.inexactNumbers };
}

function stepValue(s: Scanner, c: number): Step {
  const frames = s.frames;
  if (s.expect === EXPECT_VALUE_OR_CLOSE && c === 0x5d) {
    frames.pop();
    s.i++;
    s.expect = EXPECT_COMMA_OR_CLOSE;
    return null;
  }
  if (frames.length === 1 && frames[0]!.isArray) {
    s.rootItems++;
    if (s.opts.maxRootItems !== undefined && s.rootItems > s.opts.maxRootItems)
      return { kind: "too-many-items", offset: s.i };
  }
  if (c === 0x7b || c === 0x5b) {
    // Refuse the level before entering it, so no work is spent below the limit.
    if (frames.length >= s.opts.maxDepth) return { kind: "depth", offset: s.i };
    const isArray = c === 0x5b;
    if (s.root === null) s.root = isArray ? "array" : "object";
    frames.push({ isArray, keys: isArray ? null : new Set(), key: "", index: 0 });
    s.i++;
    s.expect = isArray ? EXPECT_VALUE_OR_CLOSE : EXPECT_KEY_OR_CLOSE;
    return null;
  }
  if (s.root === null) s.root = "scalar";
  const issue = stepScalar(s, c);
  if (issue === null) s.expect = EXPECT_COMMA_OR_CLOSE;
  return issue;
}

function stepScalar(s: Scanner, c: number): Step {
  const { text, i, end } = s;
  if (c === 0x22) {
    const str = scanString(text, i, end);
    if ("error" in str) return syntax(str.offset, str.error);
    s.i = str.end;
  } else if (c === 0x2d || isDigit(c)) {
    return stepNumber(s);
  } else if (text.startsWith("true", i) && i + 4 <= end) {
    s.i += 4;
  } else if (text.startsWith("false", i) && i + 5 <= end) {
    s.i += 5;
  } else if (text.startsWith("null", i) && i + 4 <= end) {
    s.i += 4;
  } else {
    return syntax(i, `unexpected character ${describe(text, i)}`);
  }
  return null;
}

function stepNumber(s: Scanner): Step {
  const e = scanNumber(s.text, s.i, s.end);
  if (e < 0) return syntax(s.i, "malformed number");
  const numberText = s.text.slice(s.i, e);
  const parsed = Number(numberText);
  if (!isExactNumber(numberText, parsed) && s.inexactNumbers.length < s.maxIssues) {
    const path: JsonPath = s.frames.map((f) => (f.isArray ? f.index : f.key));
    s.inexactNumbers.push({ path, text: numberText, parsed });
  }
  s.i = e;
  return null;
}

function stepKey(s: Scanner, c: number): Step {
  const { text, i, frames } = s;
  if (s.expect === EXPECT_KEY_OR_CLOSE && c === 0x7d) {
    frames.pop();
    s.i++;
    s.expect = EXPECT_COMMA_OR_CLOSE;
    return null;
  }
  if (c !== 0x22) return syntax(i, `expected a string key, found ${describe(text, i)}`);
  const str = scanString(text, i, s.end);
  if ("error" in str) return syntax(str.offset, str.error);
  // Unescaping an already-validated string literal: JSON.parse cannot fail or recurse here.
  const key = str.escaped ? (JSON.parse(text.slice(i, str.end)) as string) : text.slice(i + 1, str.end - 1);
  const frame = frames[frames.length - 1]!;
  if (frame.keys!.has(key)) {
    if (s.duplicates.length < s.maxIssues) {
      const path: JsonPath = [];
      for (let k = 0; k < frames.length - 1; k++) {
        const f = frames[k]!;
        path.push(f.isArray ? f.index : f.key);
      }
      path.push(key);
      s.duplicates.push({ kind: "duplicate-key", offset: i, key, path });
    }
  } else {
    frame.keys!.add(key);
  }
  frame.key = key;
  s.i = str.end;
  s.expect = EXPECT_COLON;
  return null;
}

function stepColon(s: Scanner, c: number): Step {
  if (c !== 0x3a) return syntax(s.i, `expected ':', found ${describe(s.text, s.i)}`);
  s.i++;
  s.expect = EXPECT_VALUE;
  return null;
}

function stepCommaOrClose(s: Scanner, c: number): Step {
  const top = s.frames[s.frames.length - 1];
  if (top === undefined) return syntax(s.i, "unexpected data after the JSON value");
  if (c === 0x2c) {
    s.i++;
    if (top.isArray) {
      top.index++;
      s.expect = EXPECT_VALUE;
    } else {
      s.expect = EXPECT_KEY;
    }
    return null;
  }
  if (c === (top.isArray ? 0x5d : 0x7d)) {
    s.frames.pop();
    s.i++;
    return null;
  }
  return syntax(s.i, `expected ',' or '${top.isArray ? "]" : "}"}', found ${describe(s.text, s.i)}`);
}
