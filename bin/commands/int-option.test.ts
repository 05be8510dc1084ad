import { describe, expect, it } from "vitest";
import { intOption } from "./int-option.ts";

class Usage extends Error {}

describe("intOption", () => {
  it("returns the fallback when the option is absent, undefined without one", () => {
    expect(intOption(undefined, "--interval", { min: 1, max: 60, fallback: 60 }, Usage)).toBe(60);
    expect(intOption(undefined, "--from", { min: 1 }, Usage)).toBeUndefined();
  });

  it("accepts whole numbers within the range, both bounds included", () => {
    expect(intOption("0", "--quorum", { min: 0, max: 2 }, Usage)).toBe(0);
    expect(intOption("2", "--quorum", { min: 0, max: 2 }, Usage)).toBe(2);
    expect(intOption("400", "--days", {}, Usage)).toBe(400);
  });

  it.each(["", " 5", "5 ", "-1", "+1", "1e3", "0x10", "1.5", "NaN", "Infinity", "99999999999999999"])(
    "refuses %j with the command's usage error naming the flag",
    (raw) => {
      expect(() => intOption(raw, "--days", {}, Usage)).toThrow(Usage);
      expect(() => intOption(raw, "--days", {}, Usage)).toThrow(
        `--days must be a whole number 0 or more, got "${raw}"`,
      );
    },
  );

  it("refuses a value outside the range and says the range", () => {
    expect(() => intOption("65", "--concurrency", { min: 1, max: 64 }, Usage)).toThrow(
      '--concurrency must be a whole number from 1 to 64, got "65"',
    );
    expect(() => intOption("0", "--from", { min: 1 }, Usage)).toThrow(
      '--from must be a whole number 1 or more, got "0"',
    );
  });

  it("takes a decimal fraction only where the option allows one", () => {
    expect(intOption("0.5", "--rate", { min: 0.001, max: 100, fraction: true }, Usage)).toBe(0.5);
    expect(() => intOption("0.0001", "--rate", { min: 0.001, max: 100, fraction: true }, Usage)).toThrow(
      '--rate must be a number from 0.001 to 100, got "0.0001"',
    );
    expect(() => intOption(".5", "--rate", { min: 0, max: 100, fraction: true }, Usage)).toThrow(Usage);
  });
});
