import { describe, expect, it } from "vitest";
import { countOf } from "./count.ts";

describe("countOf", () => {
  it("agrees the noun with the number", () => {
    expect(countOf(1, "failure")).toBe("1 failure");
    expect(countOf(2, "failure")).toBe("2 failures");
    expect(countOf(0, "failure")).toBe("0 failures");
  });
  it("takes an irregular plural and groups thousands", () => {
    expect(countOf(1, "entry", "entries")).toBe("1 entry");
    expect(countOf(12345, "entry", "entries")).toBe("12,345 entries");
  });
});
