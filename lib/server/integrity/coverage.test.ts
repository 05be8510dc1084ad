import { describe, expect, it } from "vitest";
import { chunkRanges, coverageOf, markCovered, pickSample, sampleBudget } from "./coverage.ts";

describe("rolling re-hash coverage", () => {
  it("budgets the log's share of the elapsed time in the period: 10 M entries in a day at 5-minute runs", () => {
    const chunks = Math.floor(10_000_000 / 256); // 39 062
    const perRun = sampleBudget(chunks, 300_000, 24 * 3600_000);
    expect(perRun).toBe(136); // 34 816 entries every 5 minutes
    expect(perRun * 288).toBeGreaterThanOrEqual(chunks); // 288 runs a day cover every chunk
    expect(sampleBudget(chunks, 48 * 3600_000, 24 * 3600_000)).toBe(chunks); // after an outage: everything, once
    expect(sampleBudget(chunks, 0, 24 * 3600_000)).toBe(1);
    expect(sampleBudget(0, 300_000, 24 * 3600_000)).toBe(0);
  });

  it("sweeps from the cursor, wrapping, and adds distinct random chunks", () => {
    const s = pickSample(10, 8, 4, 2);
    expect(s.sequential).toEqual([8, 9, 0, 1]);
    expect(s.cursor).toBe(2);
    expect(new Set(s.chunks).size).toBe(6);
    expect(pickSample(3, 0, 1, 5).chunks).toEqual([0, 1, 2]);
    expect(chunkRanges([9, 0, 1, 8], 256)).toEqual([
      { from: 1, to: 512 },
      { from: 2049, to: 2560 },
    ]);
  });

  it("keeps per-range times, never later than the real last re-hash, in a bounded list", () => {
    let r = markCovered([], 1, 1000, "2026-01-01T00:00:00.000Z");
    r = markCovered(r, 101, 200, "2026-01-02T00:00:00.000Z");
    expect(r).toEqual([
      { from: 1, to: 100, at: "2026-01-01T00:00:00.000Z" },
      { from: 101, to: 200, at: "2026-01-02T00:00:00.000Z" },
      { from: 201, to: 1000, at: "2026-01-01T00:00:00.000Z" },
    ]);
    for (let i = 0; i < 100; i++)
      r = markCovered(r, i * 10 + 1, i * 10 + 5, new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString());
    expect(r.length).toBeLessThanOrEqual(24);
    // Every seq still covered exactly once, in order.
    expect(r[0]!.from).toBe(1);
    for (let i = 1; i < r.length; i++) expect(r[i]!.from).toBe(r[i - 1]!.to + 1);
    // Seq 3 was re-hashed on 2026-02-01 00:00; its range may say earlier, never later.
    const at3 = r.find((x) => x.from <= 3 && 3 <= x.to)!.at!;
    expect(at3 <= "2026-02-01T00:00:00.000Z").toBe(true);
    expect(coverageOf([{ from: 1, to: 10, at: "t" }], 15)).toEqual([
      { from: 1, to: 10, at: "t" },
      { from: 11, to: 15, at: null },
    ]);
  });
});
