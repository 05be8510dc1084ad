import { describe, expect, it } from "vitest";
import { parseIngestBody, type ParseIngestBodyResult } from "./parse-body.ts";

const EVENT = {
  timestamp: "2024-05-01T12:00:00Z",
  eventType: "read",
  requester: { id: "a" },
  target: { id: "b" },
  outcome: "success",
};
const ONE = JSON.stringify(EVENT);

function failure(r: ParseIngestBodyResult) {
  if (r.ok) throw new Error("expected a failure");
  return r;
}

function success(r: ParseIngestBodyResult) {
  if (!r.ok) throw new Error(`expected ok: ${r.detail}`);
  return r;
}

describe("parseIngestBody: content types", () => {
  it("reads application/json with or without charset=utf-8", () => {
    for (const ct of [
      "application/json",
      "application/json; charset=utf-8",
      'Application/JSON;charset="UTF-8"',
      "application/json; charset=utf8",
    ]) {
      expect(success(parseIngestBody(ONE, ct)).kind).toBe("single");
    }
  });

  it("reads a missing or empty Content-Type as JSON", () => {
    expect(success(parseIngestBody(ONE, null)).items).toEqual([EVENT]);
    expect(success(parseIngestBody(ONE, "")).items).toEqual([EVENT]);
  });

  it("reads application/x-ndjson and application/jsonl", () => {
    for (const ct of ["application/x-ndjson", "application/jsonl", "application/x-ndjson; charset=utf-8"]) {
      expect(success(parseIngestBody(`${ONE}\n${ONE}\n`, ct)).kind).toBe("ndjson");
    }
  });

  it("answers 415 to other media types and charsets", () => {
    for (const ct of [
      "text/plain",
      "application/xml",
      "application/json-seq",
      "multipart/form-data",
      "application/json; charset=iso-8859-1",
      "application/x-ndjson; charset=utf-16",
    ]) {
      const f = failure(parseIngestBody(ONE, ct));
      expect(f.status).toBe(415);
      expect(f.title).toBe("Unsupported Media Type");
    }
  });
});

describe("parseIngestBody: JSON", () => {
  it("accepts one object as a single item", () => {
    expect(success(parseIngestBody(ONE, "application/json"))).toEqual({
      ok: true,
      items: [EVENT],
      kind: "single",
      inexactNumbers: [],
    });
  });

  it("accepts an array of objects", () => {
    const r = success(parseIngestBody(`[${ONE}, ${ONE}]`, "application/json"));
    expect(r.kind).toBe("array");
    expect(r.items).toHaveLength(2);
  });

  it("rejects an empty body and an empty array with 400", () => {
    for (const body of ["", "  \n", "\ufeff"]) {
      const f = failure(parseIngestBody(body, "application/json"));
      expect([f.status, f.title]).toEqual([400, "Empty body"]);
    }
    const f = failure(parseIngestBody("[]", "application/json"));
    expect([f.status, f.title]).toEqual([400, "Empty body"]);
    expect(f.detail).toMatch(/no events/);
  });

  it("ignores a leading BOM", () => {
    expect(success(parseIngestBody(`\ufeff${ONE}`, "application/json")).items).toEqual([EVENT]);
  });

  it("enforces maxItems (default 1000) and names the limit", () => {
    const body = (n: number) => `[${Array.from({ length: n }, () => "{}").join(",")}]`;
    expect(success(parseIngestBody(body(1000), "application/json")).items).toHaveLength(1000);
    const f = failure(parseIngestBody(body(1001), "application/json"));
    expect([f.status, f.title]).toEqual([400, "Too many items"]);
    expect(f.detail).toMatch(/1000/);
    expect(failure(parseIngestBody(body(3), "application/json", { maxItems: 2 })).detail).toMatch(/at most 2 events/);
  });

  it("reports items that are not objects with index and pointer ''", () => {
    const f = failure(parseIngestBody(`[${ONE}, 1, null, [], "x"]`, "application/json"));
    expect([f.status, f.title]).toEqual([400, "Invalid items"]);
    expect(f.errors?.map((e) => [e.index, e.pointer])).toEqual([
      [1, ""],
      [2, ""],
      [3, ""],
      [4, ""],
    ]);
    for (const body of ["1", "null", '"event"', "true"]) {
      const g = failure(parseIngestBody(body, "application/json"));
      expect(g.status).toBe(400);
      expect(g.errors).toEqual([{ pointer: "", detail: "the body must be a JSON object (an event)" }]);
    }
  });

  it("reports malformed JSON with line and column, and hints at NDJSON", () => {
    const f = failure(parseIngestBody('{\n  "a": 1,\n  "b": }', "application/json"));
    expect([f.status, f.title]).toEqual([400, "Malformed JSON"]);
    expect(f.detail).toMatch(/line 3, column 8/);
    const g = failure(parseIngestBody(`${ONE}\n${ONE}`, "application/json"));
    expect(g.detail).toMatch(/line 2, column 1.*application\/x-ndjson/);
  });

  it("refuses hostile nesting before JSON.parse: 1 MB of '['", () => {
    for (const body of [
      "[".repeat(1_000_000),
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      `{"a":${'{"a":'.repeat(200_000)}1${"}".repeat(200_001)}`,
    ]) {
      const f = failure(parseIngestBody(body, "application/json"));
      expect([f.status, f.title]).toEqual([400, "Nesting too deep"]);
      expect(f.detail).toMatch(/deeper than 64 levels/);
    }
    // 64 levels are fine.
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${"}".repeat(levels - 1)}`;
    expect(parseIngestBody(nested(64), "application/json").ok).toBe(true);
    expect(failure(parseIngestBody(nested(65), "application/json")).title).toBe("Nesting too deep");
  });

  it("rejects duplicate keys, escaped spellings included, with the key's pointer", () => {
    const f = failure(parseIngestBody('{"a":1,"\\u0061":2}', "application/json"));
    expect([f.status, f.title]).toEqual([400, "Duplicate keys"]);
    expect(f.errors).toEqual([
      { pointer: "/a", detail: 'duplicate key "a" (JSON.parse would silently keep only the last value)' },
    ]);

    const g = failure(
      parseIngestBody('[{"x":1},{"requester":{"id":"a","i\\u0064":"b"},"t/~":1,"t\\/~":2}]', "application/json"),
    );
    expect(g.errors?.map((e) => [e.index, e.pointer])).toEqual([
      [1, "/requester/id"],
      [1, "/t~1~0"],
    ]);
  });

  it("is not fooled by __proto__ keys", () => {
    const r = success(parseIngestBody('{"__proto__":{"x":1}}', "application/json"));
    expect(Object.keys(r.items[0] as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("parseIngestBody: NDJSON", () => {
  const ND = "application/x-ndjson";

  it("reads one object per line, ignoring blank lines, CRLF and a trailing newline", () => {
    const r = success(parseIngestBody(`${ONE}\r\n\n  \n${ONE}\r\n`, ND));
    expect(r.items).toEqual([EVENT, EVENT]);
    expect(r.lines).toEqual([1, 4]);
    expect(success(parseIngestBody(ONE, ND)).items).toHaveLength(1);
  });

  it("names the line of invalid JSON and accepts nothing", () => {
    const f = failure(parseIngestBody(`${ONE}\n\n{"a":\n${ONE}\nnot json\n`, ND));
    expect([f.status, f.title]).toEqual([400, "Malformed JSON"]);
    expect(f.errors?.map((e) => [e.line, e.index])).toEqual([
      [3, 1],
      [5, 3],
    ]);
    expect(f.errors?.[0]?.detail).toMatch(/^line 3 is not valid JSON/);
    expect(f.detail).toMatch(/^line 3: /);
  });

  it("does not let an object span lines", () => {
    const f = failure(parseIngestBody('{\n"a":1\n}', ND));
    expect(f.errors?.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it("rejects non-object lines, duplicate keys and deep nesting per line", () => {
    const f = failure(parseIngestBody(`[${ONE}]\n{"a":1,"a":2}\n${"[".repeat(100)}\n`, ND));
    expect(f.title).toBe("Malformed request body");
    expect(f.errors?.map((e) => [e.line, e.pointer])).toEqual([
      [1, ""],
      [2, "/a"],
      [3, ""],
    ]);
  });

  it("rejects an empty body and enforces maxItems before parsing", () => {
    expect(failure(parseIngestBody("\n\n \n", ND)).title).toBe("Empty body");
    const f = failure(parseIngestBody(`${ONE}\n${ONE}\nthis line is never parsed\n`, ND, { maxItems: 2 }));
    expect([f.status, f.title]).toEqual([400, "Too many items"]);
  });

  it("caps the number of reported errors", () => {
    const f = failure(parseIngestBody("x\n".repeat(500), ND));
    expect(f.errors).toHaveLength(100);
  });
});
