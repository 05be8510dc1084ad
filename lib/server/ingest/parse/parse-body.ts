// Turns the body of `POST /api/v1/events` into a list of raw items for validateEvent —
// pure: no HTTP objects, no size limits (the handler enforces body bytes before calling).
//
// All-or-nothing: any syntax error, over-deep nesting, duplicate key or non-object item
// rejects the whole request, so a batch is never half-understood (SPEC §1: nothing of a
// rejected batch is stored).
//
// Titles are stable strings the handler can map to problem types:
// "Unsupported Media Type" (415), "Empty body", "Too many items", "Malformed JSON",
// "Nesting too deep", "Duplicate keys", "Invalid items", "Malformed request body" (mixed
// problems in NDJSON).

import { scanJson, type InexactNumber, type JsonPath, type JsonScanIssue } from "./json-scan.ts";

export const DEFAULT_MAX_ITEMS = 1000;
/** Deep enough for any valid event (event 1 + attributes 5 + batch array 1), shallow enough to be safe. */
export const DEFAULT_MAX_JSON_DEPTH = 64;
/** Per-request cap on reported problems, so an error response stays small. */
const MAX_REPORTED_ERRORS = 100;

export type IngestBodyError = { index?: number; line?: number; pointer: string; detail: string };

export type ParseIngestBodyResult =
  | {
      ok: true;
      items: unknown[];
      kind: "single" | "array" | "ndjson";
      /** NDJSON only: the 1-based body line of each item, for per-item error reports. */
      lines?: number[];
      /**
       * Numbers JSON.parse changed (`1.00000000000000000001` → 1): per item, the pointer
       * inside it. Not refused here — the caller reports them with the item's other field
       * errors (422), as the validator does for integers beyond 2^53.
       */
      inexactNumbers: Array<{ index: number; pointer: string; detail: string }>;
    }
  | { ok: false; status: 400 | 415; title: string; detail: string; errors?: IngestBodyError[] };

export type ParseIngestBodyOptions = {
  /** Most events one request may carry (default 1000). */
  maxItems?: number;
  /** Deepest nesting of arrays/objects accepted in the body (default 64). */
  maxDepth?: number;
};

type BodyFormat = "json" | "ndjson";
type Failure = Extract<ParseIngestBodyResult, { ok: false }>;

const JSON_TYPES = new Set(["application/json"]);
const NDJSON_TYPES = new Set(["application/x-ndjson", "application/jsonl"]);
const UTF8_LABELS = new Set(["utf-8", "utf8"]);

function unsupported(detail: string): Failure {
  return { ok: false, status: 415, title: "Unsupported Media Type", detail };
}

function badRequest(title: string, detail: string, errors?: IngestBodyError[]): Failure {
  return errors === undefined
    ? { ok: false, status: 400, title, detail }
    : { ok: false, status: 400, title, detail, errors };
}

/** Media type → body format. A missing Content-Type is read as JSON (curl-friendly). */
function bodyFormat(contentType: string | null): BodyFormat | Failure {
  if (contentType === null || contentType.trim() === "") return "json";
  const [essence = "", ...params] = contentType.split(";");
  const type = essence.trim().toLowerCase();
  const format: BodyFormat | null = JSON_TYPES.has(type) ? "json" : NDJSON_TYPES.has(type) ? "ndjson" : null;
  if (format === null) {
    return unsupported(
      `Content-Type must be application/json (one event or an array of events) or application/x-ndjson (one event per line)`,
    );
  }
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (!UTF8_LABELS.has(value)) return unsupported("the only supported charset is utf-8");
  }
  return format;
}

function pointerOf(path: JsonPath): string {
  return path.map((p) => `/${String(p).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const JSON_WHITESPACE_ONLY = /^[ \t\n\r]*$/;

/** What a rounded number becomes, in words a sender can act on. */
export function inexactNumberDetail(n: { text: string; parsed: number }): string {
  const shown = n.text.length > 60 ? `${n.text.slice(0, 57)}…` : n.text;
  return Number.isFinite(n.parsed)
    ? `the number ${shown} would be stored as ${String(n.parsed)} (JSON numbers are kept as 64-bit floats, which cannot hold it exactly); send it as a string to keep every digit, or round it yourself`
    : `the number ${shown} is beyond the range of a 64-bit float (±1.8e308); send it as a string`;
}

function inexactOf(found: InexactNumber[], index: (path: JsonPath) => number, within: (path: JsonPath) => JsonPath) {
  return found.map((n) => ({
    index: index(n.path),
    pointer: pointerOf(within(n.path)),
    detail: inexactNumberDetail(n),
  }));
}

function notAnObject(what: string): string {
  return `${what} must be a JSON object (an event)`;
}

function parseJsonBody(text: string, maxItems: number, maxDepth: number): ParseIngestBodyResult {
  const scan = scanJson(text, { maxDepth, maxRootItems: maxItems, maxIssues: MAX_REPORTED_ERRORS });
  if (!scan.ok) {
    const first = scan.issues[0]!;
    const at = (offset: number) => {
      const { line, column } = lineAndColumn(text, offset);
      return `line ${line}, column ${column}`;
    };
    if (first.kind === "syntax") {
      // Several objects one after another is the classic NDJSON-sent-as-JSON mistake.
      const hint =
        first.detail === "unexpected data after the JSON value" && scan.root === "object"
          ? " (to send one event per line, use Content-Type: application/x-ndjson)"
          : "";
      return badRequest("Malformed JSON", `body is not valid JSON: ${first.detail} at ${at(first.offset)}${hint}`);
    }
    if (first.kind === "depth") {
      return badRequest("Nesting too deep", `JSON nesting is deeper than ${maxDepth} levels at ${at(first.offset)}`);
    }
    if (first.kind === "too-many-items") {
      return badRequest("Too many items", `a request may carry at most ${maxItems} events`);
    }
    const errors = scan.issues.map((issue) => duplicateError(issue, scan.root === "array"));
    return badRequest("Duplicate keys", summarize(errors), errors);
  }

  // The scan accepted the text, so JSON.parse cannot throw and never nests beyond maxDepth.
  const value: unknown = JSON.parse(text);
  if (Array.isArray(value)) {
    if (value.length === 0) return badRequest("Empty body", "the array holds no events; send at least one");
    const errors: IngestBodyError[] = [];
    value.forEach((item: unknown, index) => {
      if (!isJsonObject(item) && errors.length < MAX_REPORTED_ERRORS) {
        errors.push({ index, pointer: "", detail: notAnObject(`item ${index}`) });
      }
    });
    if (errors.length > 0) return badRequest("Invalid items", summarize(errors), errors);
    const inexactNumbers = inexactOf(
      scan.inexactNumbers,
      (p) => p[0] as number,
      (p) => p.slice(1),
    );
    return { ok: true, items: value, kind: "array", inexactNumbers };
  }
  if (isJsonObject(value)) {
    const inexactNumbers = inexactOf(
      scan.inexactNumbers,
      () => 0,
      (p) => p,
    );
    return { ok: true, items: [value], kind: "single", inexactNumbers };
  }
  return badRequest("Invalid items", "body must be a JSON object (one event) or an array of objects", [
    { pointer: "", detail: notAnObject("the body") },
  ]);
}

function duplicateError(issue: JsonScanIssue, rootIsArray: boolean, line?: number, index?: number): IngestBodyError {
  const path = issue.kind === "duplicate-key" ? issue.path : [];
  const key = issue.kind === "duplicate-key" ? issue.key : "";
  const detail = `duplicate key ${JSON.stringify(key)} (JSON.parse would silently keep only the last value)`;
  if (rootIsArray && typeof path[0] === "number") {
    return { index: path[0], pointer: pointerOf(path.slice(1)), detail };
  }
  const out: IngestBodyError = { pointer: pointerOf(path), detail };
  if (index !== undefined) out.index = index;
  if (line !== undefined) out.line = line;
  return out;
}

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function summarize(errors: IngestBodyError[]): string {
  const first = errors[0];
  if (first === undefined) return "the body is invalid";
  const where =
    first.line !== undefined ? `line ${first.line}: ` : first.index !== undefined ? `item ${first.index}: ` : "";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more, see errors)` : "";
  return `${where}${first.pointer === "" ? "" : `${first.pointer}: `}${first.detail}${more}`;
}

function parseNdjsonBody(text: string, maxItems: number, maxDepth: number): ParseIngestBodyResult {
  // Locate non-blank lines first, so the item limit is enforced before any line is parsed.
  const lines: Array<{ start: number; end: number; line: number }> = [];
  let lineNo = 0;
  for (let start = 0; start <= text.length;) {
    const nl = text.indexOf("\n", start);
    const stop = nl === -1 ? text.length : nl;
    lineNo++;
    const end = stop > start && text.charCodeAt(stop - 1) === 0x0d ? stop - 1 : stop;
    if (!JSON_WHITESPACE_ONLY.test(text.slice(start, end))) {
      lines.push({ start, end, line: lineNo });
      if (lines.length > maxItems)
        return badRequest("Too many items", `a request may carry at most ${maxItems} events`);
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  if (lines.length === 0) return badRequest("Empty body", "the body holds no events; send one JSON object per line");

  const items: unknown[] = [];
  const itemLines: number[] = [];
  const inexactNumbers: Array<{ index: number; pointer: string; detail: string }> = [];
  const errors: IngestBodyError[] = [];
  const kinds = new Set<string>();
  for (const [index, { start, end, line }] of lines.entries()) {
    if (errors.length >= MAX_REPORTED_ERRORS) break;
    const scan = scanJson(text, { start, end, maxDepth, maxIssues: MAX_REPORTED_ERRORS - errors.length });
    if (!scan.ok) {
      const first = scan.issues[0]!;
      if (first.kind === "syntax") {
        kinds.add("Malformed JSON");
        const column = first.offset - start + 1;
        errors.push({
          index,
          line,
          pointer: "",
          detail: `line ${line} is not valid JSON: ${first.detail} at column ${column}`,
        });
      } else if (first.kind === "depth") {
        kinds.add("Nesting too deep");
        errors.push({
          index,
          line,
          pointer: "",
          detail: `line ${line}: JSON nesting is deeper than ${maxDepth} levels`,
        });
      } else {
        kinds.add("Duplicate keys");
        for (const issue of scan.issues) errors.push(duplicateError(issue, false, line, index));
      }
      continue;
    }
    const value: unknown = JSON.parse(text.slice(start, end));
    if (!isJsonObject(value)) {
      kinds.add("Invalid items");
      errors.push({ index, line, pointer: "", detail: notAnObject(`line ${line}`) });
      continue;
    }
    inexactNumbers.push(
      ...inexactOf(
        scan.inexactNumbers,
        () => items.length,
        (p) => p,
      ),
    );
    items.push(value);
    itemLines.push(line);
  }
  if (errors.length > 0) {
    const title = kinds.size === 1 ? [...kinds][0]! : "Malformed request body";
    return badRequest(title, summarize(errors), errors);
  }
  return { ok: true, items, kind: "ndjson", lines: itemLines, inexactNumbers };
}

/**
 * Splits an ingest request body into raw items (not yet validated events).
 * Invariants: never throws; never calls JSON.parse on text nested deeper than maxDepth or
 * holding a duplicate key; any problem rejects the whole body (no partial acceptance);
 * `items` is non-empty and holds at most maxItems plain objects. A leading UTF-8 BOM is
 * ignored.
 */
export function parseIngestBody(
  body: string,
  contentType: string | null,
  opts: ParseIngestBodyOptions = {},
): ParseIngestBodyResult {
  const maxItems = opts.maxItems ?? DEFAULT_MAX_ITEMS;
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const format = bodyFormat(contentType);
  if (typeof format !== "string") return format;
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  if (JSON_WHITESPACE_ONLY.test(text))
    return badRequest("Empty body", "the request body is empty; send at least one event");
  return format === "json" ? parseJsonBody(text, maxItems, maxDepth) : parseNdjsonBody(text, maxItems, maxDepth);
}
