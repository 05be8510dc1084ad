import { describe, expect, it } from "vitest";
import {
  csvCell,
  csvHeader,
  csvLine,
  eventLine,
  formatManifest,
  formatSums,
  parseSums,
  proofLine,
  BUNDLE_FORMAT,
} from "./format.ts";

describe("csvCell (RFC 4180, formula-injection safe)", () => {
  it.each([
    ["plain", "plain"],
    ["", ""],
    ["=1+2", "'=1+2"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["a=b", "a=b"],
    [" =x", " =x"],
  ])("%j → %j", (input, want) => {
    expect(csvCell(input)).toBe(want);
  });

  it("writes CRLF rows with every column, absent fields empty, attributes as JCS", () => {
    const line = csvLine(
      {
        seq: 7,
        id: "e7",
        timestamp: "2026-01-01T00:00:00.000Z",
        receivedAt: "2026-01-01T00:00:01.000Z",
        source: "s",
        eventType: "read",
        outcome: "denied",
        requester: { id: "=cmd", type: "service" },
        target: { id: "db://x" },
        attributes: { b: 1, a: "x,y" },
      },
      "AAAA",
    );
    expect(line).toBe(
      `7,2026-01-01T00:00:00.000Z,2026-01-01T00:00:01.000Z,s,read,denied,'=cmd,service,,db://x,,,,,,"{""a"":""x,y"",""b"":1}",e7,AAAA\r\n`,
    );
    expect(csvHeader().split(",")).toHaveLength(18);
    expect(csvHeader().endsWith("\r\n")).toBe(true);
  });
});

describe("JSONL lines", () => {
  it("follow SPEC §5 key order, one line each", () => {
    expect(eventLine(3, "bGVhZg==", '{"a":1}')).toBe('{"seq":3,"leafHash":"bGVhZg==","entry":{"a":1}}\n');
    expect(proofLine(3, [new Uint8Array([1, 2, 3])])).toBe('{"seq":3,"path":["AQID"]}\n');
    expect(proofLine(1, [])).toBe('{"seq":1,"path":[]}\n');
  });
});

describe("SHA256SUMS", () => {
  const h = (c: string) => c.repeat(64);
  it("is sha256sum -c format, sorted by name", () => {
    const s = formatSums([
      { name: "manifest.json", sha256Hex: h("b") },
      { name: "VERIFY.txt", sha256Hex: h("a") },
    ]);
    expect(s).toBe(`${h("a")}  VERIFY.txt\n${h("b")}  manifest.json\n`);
    expect([...parseSums(s)]).toEqual([
      ["VERIFY.txt", h("a")],
      ["manifest.json", h("b")],
    ]);
  });
  it("parses strictly", () => {
    expect(() => parseSums(`${h("a")} x\n`)).toThrow(/line 1/);
    expect(() => parseSums(`${h("a")}  x`)).toThrow(/newline/);
    expect(() => parseSums(`${h("a")}  x\n${h("b")}  x\n`)).toThrow(/twice/);
    expect(() => parseSums(`${h("g")}  x\n`)).toThrow(/line 1/);
  });
});

describe("manifest.json", () => {
  it("holds the SPEC fields in SPEC order", () => {
    const m = formatManifest({
      keyId: "0011aabb",
      format: BUNDLE_FORMAT,
      bundleId: "b",
      createdAt: "2026-01-01T00:00:00.000Z",
      createdBy: "a@example.com",
      origin: "o",
      filter: { service: "payments" },
      count: 0,
      firstSeq: 0,
      lastSeq: 0,
      checkpoint: { treeSize: 5, rootHash: "r" },
    });
    expect(Object.keys(JSON.parse(m))).toEqual([
      "format",
      "bundleId",
      "createdAt",
      "createdBy",
      "origin",
      "filter",
      "count",
      "firstSeq",
      "lastSeq",
      "checkpoint",
      "keyId",
    ]);
    expect(m.endsWith("}\n")).toBe(true);
  });
});
