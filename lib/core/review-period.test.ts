import { describe, expect, it } from "vitest";
import { cronOf, cronProblem, currentPeriod, lastEndedPeriod, periodsEndedBetween } from "./review-period.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);
const H = 3600_000;

describe("review periods", () => {
  it("a daily period in UTC is midnight to midnight, the last one ended", () => {
    const p = lastEndedPeriod(cronOf("daily"), "UTC", at("2026-12-04T10:30:00Z"));
    expect([iso(p.start), iso(p.end)]).toEqual(["2026-12-03T00:00:00.000Z", "2026-12-04T00:00:00.000Z"]);
  });

  it("a firing exactly at now has ended its period", () => {
    const p = lastEndedPeriod(cronOf("daily"), "UTC", at("2026-12-04T00:00:00Z"));
    expect(iso(p.end)).toBe("2026-12-04T00:00:00.000Z");
  });

  it("Berlin's spring-forward day is 23 hours long, local midnight to local midnight", () => {
    const p = lastEndedPeriod(cronOf("daily"), "Europe/Berlin", at("2026-03-30T08:00:00Z"));
    expect([iso(p.start), iso(p.end)]).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(p.end - p.start).toBe(23 * H);
  });

  it("New York's fall-back day is 25 hours long", () => {
    const p = lastEndedPeriod(cronOf("daily"), "America/New_York", at("2026-11-02T12:00:00Z"));
    expect([iso(p.start), iso(p.end)]).toEqual(["2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"]);
    expect(p.end - p.start).toBe(25 * H);
  });

  it("a zone east of UTC starts its day on the previous UTC date", () => {
    const p = lastEndedPeriod(cronOf("daily"), "Asia/Kolkata", at("2026-12-04T10:00:00Z"));
    expect([iso(p.start), iso(p.end)]).toEqual(["2026-12-02T18:30:00.000Z", "2026-12-03T18:30:00.000Z"]);
  });

  it("weekly runs Monday to Monday, monthly the 1st to the 1st (local)", () => {
    const w = lastEndedPeriod(cronOf("weekly"), "UTC", at("2026-12-04T10:00:00Z")); // a Friday
    expect([iso(w.start), iso(w.end)]).toEqual(["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]);
    const m = lastEndedPeriod(cronOf("monthly"), "Europe/Paris", at("2026-12-04T10:00:00Z"));
    expect([iso(m.start), iso(m.end)]).toEqual(["2026-10-31T23:00:00.000Z", "2026-11-30T23:00:00.000Z"]);
  });

  it("a cron expression cuts its own periods; the current one ends at the next firing", () => {
    const c = "0 6 * * 1-5"; // 06:00 on weekdays
    const p = lastEndedPeriod(c, "UTC", at("2026-12-07T07:00:00Z")); // Monday
    expect([iso(p.start), iso(p.end)]).toEqual(["2026-12-04T06:00:00.000Z", "2026-12-07T06:00:00.000Z"]);
    const now = currentPeriod(c, "UTC", at("2026-12-07T07:00:00Z"));
    expect([iso(now.start), iso(now.end)]).toEqual(["2026-12-07T06:00:00.000Z", "2026-12-08T06:00:00.000Z"]);
  });

  it("counts the periods a downtime missed", () => {
    expect(periodsEndedBetween(cronOf("daily"), "UTC", at("2026-12-01T12:00:00Z"), at("2026-12-04T12:00:00Z"))).toBe(3);
    expect(periodsEndedBetween(cronOf("daily"), "UTC", at("2026-12-04T01:00:00Z"), at("2026-12-04T12:00:00Z"))).toBe(0);
  });

  it("refuses bad zones, malformed expressions and sub-hourly schedules with a reason", () => {
    expect(cronProblem("0 0 * * *", "Mars/Olympus")).toMatch(/not an IANA zone/);
    expect(cronProblem("0 0 * *", "UTC")).toMatch(/five fields/);
    expect(cronProblem("0 99 * * *", "UTC")).toMatch(/not valid/);
    expect(cronProblem("*/5 * * * *", "UTC")).toMatch(/more often than once an hour/);
    expect(cronProblem("0 */2 * * *", "Europe/Berlin")).toBeNull();
  });
});
