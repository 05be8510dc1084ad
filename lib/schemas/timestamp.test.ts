import { describe, expect, it } from "vitest";
import { normalizeTimestamp } from "./timestamp.ts";

function norm(s: string, now?: Date): string {
  const r = normalizeTimestamp(s, now);
  if (!r.ok) throw new Error(`${s}: ${r.detail}`);
  expect(Date.parse(r.value)).toBe(r.epochMs);
  return r.value;
}

function rejects(s: string, rule: RegExp, now?: Date): void {
  const r = normalizeTimestamp(s, now);
  expect(r.ok, s).toBe(false);
  if (!r.ok) expect(r.detail).toMatch(rule);
}

describe("normalizeTimestamp", () => {
  it("keeps UTC and pads to milliseconds", () => {
    expect(norm("2024-05-01T12:00:00Z")).toBe("2024-05-01T12:00:00.000Z");
    expect(norm("2024-05-01T12:00:00.5Z")).toBe("2024-05-01T12:00:00.500Z");
    expect(norm("2024-05-01T12:00:00.12Z")).toBe("2024-05-01T12:00:00.120Z");
    expect(norm("2024-05-01t12:00:00z")).toBe("2024-05-01T12:00:00.000Z");
  });

  it("truncates extra fractional digits instead of rounding", () => {
    expect(norm("2024-05-01T12:00:00.1239Z")).toBe("2024-05-01T12:00:00.123Z");
    expect(norm("2024-05-01T12:00:00.999999999Z")).toBe("2024-05-01T12:00:00.999Z");
    // Rounding would have moved this event into the next year.
    expect(norm("2023-12-31T23:59:59.9999Z")).toBe("2023-12-31T23:59:59.999Z");
  });

  it("applies offsets, across day, month and year boundaries", () => {
    expect(norm("2024-05-01T14:30:00+02:30")).toBe("2024-05-01T12:00:00.000Z");
    expect(norm("2024-05-01T00:15:00+01:00")).toBe("2024-04-30T23:15:00.000Z");
    expect(norm("2023-12-31T20:00:00-05:00")).toBe("2024-01-01T01:00:00.000Z");
    expect(norm("2024-01-01T00:00:00.250+14:00")).toBe("2023-12-31T10:00:00.250Z");
    expect(norm("2024-05-01T12:00:00-00:00")).toBe("2024-05-01T12:00:00.000Z");
    expect(norm("2024-05-01T12:00:00+23:59")).toBe("2024-04-30T12:01:00.000Z");
  });

  it("knows leap years", () => {
    expect(norm("2024-02-29T00:00:00Z")).toBe("2024-02-29T00:00:00.000Z");
    expect(norm("2000-02-29T00:00:00Z")).toBe("2000-02-29T00:00:00.000Z"); // divisible by 400
    rejects("2023-02-29T00:00:00Z", /2023-02 has no day 29/);
    rejects("2100-02-29T00:00:00Z", /no day 29/); // divisible by 100, not 400
    rejects("2024-02-30T00:00:00Z", /no day 30/);
    rejects("2024-04-31T00:00:00Z", /no day 31/);
    expect(norm("2024-02-28T23:00:00-01:00")).toBe("2024-02-29T00:00:00.000Z");
  });

  it("rejects impossible fields", () => {
    rejects("2024-13-01T00:00:00Z", /month/);
    rejects("2024-00-01T00:00:00Z", /month/);
    rejects("2024-01-00T00:00:00Z", /no day 00/);
    rejects("2024-01-01T24:00:00Z", /hour/);
    rejects("2024-01-01T23:60:00Z", /minute/);
    rejects("2024-01-01T23:59:61Z", /second/);
    rejects("2016-12-31T23:59:60Z", /leap second/);
    rejects("2024-01-01T00:00:00+24:00", /offset/);
    rejects("2024-01-01T00:00:00+01:60", /offset/);
  });

  it("rejects what is not RFC 3339", () => {
    for (const s of [
      "",
      "2024-05-01",
      "2024-05-01T12:00Z",
      "2024-05-01T12:00:00",
      "2024-05-01 12:00:00Z",
      "20240501T120000Z",
      "2024-05-01T12:00:00+0200",
      "2024-05-01T12:00:00+02",
      "2024-05-01T12:00:00.Z",
      "2024-5-1T12:00:00Z",
      "+002024-05-01T12:00:00Z",
      "2024-05-01T12:00:00Z ",
      "2024-05-01T12:00:00\u0660Z",
      "Wed, 01 May 2024 12:00:00 GMT",
      `2024-05-01T12:00:00.${"1".repeat(100)}Z`,
    ]) {
      rejects(s, /RFC 3339/);
    }
  });

  it("rejects instants before 1970-01-01T00:00:00Z (after the offset) and beyond year 9999", () => {
    expect(norm("1970-01-01T00:00:00Z")).toBe("1970-01-01T00:00:00.000Z");
    expect(norm("1969-12-31T23:00:00-01:00")).toBe("1970-01-01T00:00:00.000Z");
    rejects("1970-01-01T00:30:00+01:00", /1970/);
    rejects("1969-12-31T23:59:59.999Z", /1970/);
    rejects("0050-01-01T00:00:00Z", /1970/);
    rejects("0000-01-01T00:00:00Z", /1970/);
    expect(norm("9999-12-31T23:59:59.999Z")).toBe("9999-12-31T23:59:59.999Z");
    rejects("9999-12-31T23:59:59-00:01", /10000/);
  });

  it("rejects more than 24 hours ahead of now, only when now is given", () => {
    const now = new Date("2024-05-01T12:00:00.000Z");
    expect(norm("2024-05-02T12:00:00.000Z", now)).toBe("2024-05-02T12:00:00.000Z");
    rejects("2024-05-02T12:00:00.001Z", /24 hours/, now);
    rejects("2024-05-02T14:00:00.001+02:00", /24 hours/, now);
    expect(norm("2024-05-02T12:00:00.001Z")).toBe("2024-05-02T12:00:00.001Z");
    // The past is never limited by now.
    expect(norm("1999-01-01T00:00:00Z", now)).toBe("1999-01-01T00:00:00.000Z");
  });
});
