import { describe, expect, it } from "vitest";
import { describeFilter, eventsHref, formatBytes } from "./describe.ts";

describe("bundle page helpers", () => {
  it("describes a filter for people and links back to the explorer", () => {
    const f = {
      from: "2026-07-01T00:00:00.000Z",
      to: "2026-10-01T00:00:00.000Z",
      service: "payments*",
      outcome: ["denied", "failure"],
    };
    expect(describeFilter(f)).toBe(
      "from 2026-07-01 00:00:00 UTC to 2026-10-01 00:00:00 UTC · outcome denied or failure · service payments*",
    );
    expect(eventsHref(f)).toBe(
      "/events?from=2026-07-01T00%3A00%3A00.000Z&to=2026-10-01T00%3A00%3A00.000Z&outcome=denied%2Cfailure&service=payments*",
    );
    expect(describeFilter({})).toBe("everything");
    // No time bounds is all time, said and linked as such (the explorer's default is 7 days).
    expect(eventsHref({})).toBe("/events?range=all");
    expect(describeFilter({ correlationId: "abc", seqTo: 10 })).toBe("all time · seq 1…10 · correlation id abc");
    expect(eventsHref({ correlationId: "abc" })).toBe("/events?range=all&correlationId=abc");
  });
  it("formats sizes", () => {
    expect(formatBytes(null)).toBe("—");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(27866035)).toBe("26.6 MiB");
  });
});
