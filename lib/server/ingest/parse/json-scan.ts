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

/**
 * Scans text[start, end) as one JSON text.
 * Invariants: O(length) time, stack depth independent of the input, never throws; `ok` is
 * true exactly when JSON.parse would succeed and no object repeats a key (compared after
 * unescaping) and the depth and root-item limits hold. Stops at the first syntax, depth or
 * item-count issue; duplicate keys are all collected (up to maxIssues).
 */
export function scanJson(text: string, opts: JsonScanOptions): JsonScanResult {
  const end = opts.end ?? text.length;
  const maxIssues = opts.maxIssues ?? 100;
  let i = opts.start ?? 0;
  const frames: Frame[] = [];
  const duplicates: JsonScanIssue[] = [];
  const inexactNumbers: InexactNumber[] = [];
  let root: JsonRootKind | null = null;
  let rootItems = 0;
  let expect = EXPECT_VALUE;
  const fail = (issue: JsonScanIssue): JsonScanResult => ({ ok: false, root, issues: [issue] });
  const syntax = (offset: number, detail: string): JsonScanResult => fail({ kind: "syntax", offset, detail });

  for (;;) {
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= end) {
      if (frames.length === 0 && expect === EXPECT_COMMA_OR_CLOSE) break;
      return syntax(i, root === null ? "no JSON value" : "unexpected end of input");
    }
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];

    if (expect === EXPECT_VALUE || expect === EXPECT_VALUE_OR_CLOSE) {
      if (expect === EXPECT_VALUE_OR_CLOSE && c === 0x5d) {
        frames.pop();
        i++;
        expect = EXPECT_COMMA_OR_CLOSE;
        continue;
      }
      if (frames.length === 1 && top !== undefined && top.isArray) {
        rootItems++;
        if (opts.maxRootItems !== undefined && rootItems > opts.maxRootItems)
          return fail({ kind: "too-many-items", offset: i });
      }
      if (c === 0x7b || c === 0x5b) {
        // Refuse the level before entering it, so no work is spent below the limit.
        if (frames.length >= opts.maxDepth) return fail({ kind: "depth", offset: i });
        const isArray = c === 0x5b;
        if (root === null) root = isArray ? "array" : "object";
        frames.push({ isArray, keys: isArray ? null : new Set(), key: "", index: 0 });
        i++;
        expect = isArray ? EXPECT_VALUE_OR_CLOSE : EXPECT_KEY_OR_CLOSE;
        continue;
      }
      if (root === null) root = "scalar";
      if (c === 0x22) {
        const s = scanString(text, i, end);
        if ("error" in s) return syntax(s.offset, s.error);
        i = s.end;
      } else if (c === 0x2d || isDigit(c)) {
        const e = scanNumber(text, i, end);
        if (e < 0) return syntax(i, "malformed number");
        const numberText = text.slice(i, e);
        const parsed = Number(numberText);
        if (!isExactNumber(numberText, parsed) && inexactNumbers.length < maxIssues) {
          const path: JsonPath = frames.map((f) => (f.isArray ? f.index : f.key));
          inexactNumbers.push({ path, text: numberText, parsed });
        }
        i = e;
      } else if (text.startsWith("true", i) && i + 4 <= end) {
        i += 4;
      } else if (text.startsWith("false", i) && i + 5 <= end) {
        i += 5;
      } else if (text.startsWith("null", i) && i + 4 <= end) {
        i += 4;
      } else {
        return syntax(i, `unexpected character ${describe(text, i)}`);
      }
      expect = EXPECT_COMMA_OR_CLOSE;
      continue;
    }

    if (expect === EXPECT_KEY_OR_CLOSE || expect === EXPECT_KEY) {
      if (expect === EXPECT_KEY_OR_CLOSE && c === 0x7d) {
        frames.pop();
        i++;
        expect = EXPECT_COMMA_OR_CLOSE;
        continue;
      }
      if (c !== 0x22) return syntax(i, `expected a string key, found ${describe(text, i)}`);
      const s = scanString(text, i, end);
      if ("error" in s) return syntax(s.offset, s.error);
      // Unescaping an already-validated string literal: JSON.parse cannot fail or recurse here.
      const key = s.escaped ? (JSON.parse(text.slice(i, s.end)) as string) : text.slice(i + 1, s.end - 1);
      const frame = top!;
      if (frame.keys!.has(key)) {
        if (duplicates.length < maxIssues) {
          const path: JsonPath = [];
          for (let k = 0; k < frames.length - 1; k++) {
            const f = frames[k]!;
            path.push(f.isArray ? f.index : f.key);
          }
          path.push(key);
          duplicates.push({ kind: "duplicate-key", offset: i, key, path });
        }
      } else {
        frame.keys!.add(key);
      }
      frame.key = key;
      i = s.end;
      expect = EXPECT_COLON;
      continue;
    }

    if (expect === EXPECT_COLON) {
      if (c !== 0x3a) return syntax(i, `expected ':', found ${describe(text, i)}`);
      i++;
      expect = EXPECT_VALUE;
      continue;
    }

    // EXPECT_COMMA_OR_CLOSE
    if (top === undefined) return syntax(i, "unexpected data after the JSON value");
    if (c === 0x2c) {
      i++;
      if (top.isArray) {
        top.index++;
        expect = EXPECT_VALUE;
      } else {
        expect = EXPECT_KEY;
      }
      continue;
    }
    if (c === (top.isArray ? 0x5d : 0x7d)) {
      frames.pop();
      i++;
      continue;
    }
    return syntax(i, `expected ',' or '${top.isArray ? "]" : "}"}', found ${describe(text, i)}`);
  }

  if (duplicates.length > 0) return { ok: false, root, issues: duplicates };
  return { ok: true, root: root ?? "scalar", rootItems, inexactNumbers };
}
