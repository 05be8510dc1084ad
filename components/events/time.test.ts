import { describe, expect, it } from "vitest";
import { fromInputValue, toInputValue } from "./time.ts";

// The From/To fields are plain text (one tab stop each): what people type must
// read as they mean it, and anything else must be refused rather than guessed.
describe("fromInputValue (UTC)", () => {
  it("reads a date and time with T or a space, seconds and milliseconds optional", () => {
    expect(fromInputValue("2026-11-27T13:20", true)).toBe("2026-11-27T13:20:00.000Z");
    expect(fromInputValue(" 2026-11-27 13:20:05 ", true)).toBe("2026-11-27T13:20:05.000Z");
    expect(fromInputValue("2026-11-27 13:20:05.25", true)).toBe("2026-11-27T13:20:05.250Z");
  });
  it("reads a bare date as its midnight", () => {
    expect(fromInputValue("2026-11-27", true)).toBe("2026-11-27T00:00:00.000Z");
  });
  it("refuses out-of-range parts instead of rolling them over", () => {
    for (const bad of [
      "2026-13-01",
      "2026-00-10",
      "2026-11-32",
      "2026-11-31",
      "2027-02-29",
      "2026-11-27 24:00",
      "2026-11-27 10:60",
      "2026-11-27 10:00:61",
    ])
      expect(fromInputValue(bad, true), bad).toBeNull();
  });
  it("refuses other shapes", () => {
    for (const bad of ["27/11/2026", "2026-11-27T13", "yesterday", "", "2026-11-27T13:20Z"])
      expect(fromInputValue(bad, true), bad).toBeNull();
  });
  it("round-trips what the field shows", () => {
    expect(fromInputValue(toInputValue("2026-11-27T13:20:05.000Z", true), true)).toBe("2026-11-27T13:20:05.000Z");
  });
});
