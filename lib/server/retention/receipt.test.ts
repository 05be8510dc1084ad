import { describe, expect, it } from "vitest";
import { foldRanges, formatRanges, parseRanges } from "./receipt.ts";

// The receipt's seq ranges (docs/format.md §8.5): folded from seqs, capped, and parsed back strictly.

describe("prune receipt ranges", () => {
  it("folds consecutive seqs and stops at the range cap, saying how many seqs it covered", () => {
    expect(foldRanges([3, 4, 5, 9, 11, 12])).toEqual({
      ranges: [
        { first: 3, last: 5 },
        { first: 9, last: 9 },
        { first: 11, last: 12 },
      ],
      used: 6,
    });
    const capped = foldRanges([1, 2, 4, 6, 7], 2);
    expect(capped).toEqual({
      ranges: [
        { first: 1, last: 2 },
        { first: 4, last: 4 },
      ],
      used: 3,
    });
    expect(formatRanges(capped.ranges)).toBe("1-2,4-4");
  });

  it("parses only ascending, disjoint, well-formed ranges", () => {
    expect(parseRanges("1-2,4-4,10-20")).toEqual([
      { first: 1, last: 2 },
      { first: 4, last: 4 },
      { first: 10, last: 20 },
    ]);
    for (const bad of ["", "0-1", "2-1", "1-3,3-4", "5-6,1-2", "1-2,", "a-b", "1", "1-2;3-4"]) {
      expect(parseRanges(bad), bad).toBeNull();
    }
  });
});
