import { describe, expect, it } from "vitest";
import { parseTraceparent } from "./traceparent.ts";

// Vectors from W3C Trace Context Level 1 §3.2 and its test suite (test/test.py).
const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("parseTraceparent", () => {
  it("parses the spec's examples", () => {
    expect(parseTraceparent(VALID)).toEqual({
      version: "00",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentId: "00f067aa0ba902b7",
      flags: "01",
    });
    expect(parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")?.traceId).toBe(
      "0af7651916cd43dd8448eb211c80319c",
    );
  });

  it("accepts any flags value (unknown flags are ignored, not invalid)", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff")?.flags).toBe("ff");
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09")?.flags).toBe("09");
  });

  it("accepts higher versions, ignoring fields after the known ones", () => {
    expect(parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceId).toBe(
      "4bf92f3577b34da6a3ce929d0e0e4736",
    );
    expect(
      parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like")?.version,
    ).toBe("cc");
    // ... but only when the extra part starts with "-".
    expect(parseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what")).toBeNull();
  });

  it("ignores surrounding optional whitespace (HTTP OWS)", () => {
    expect(parseTraceparent(` \t${VALID}\t `)?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("rejects what the spec says to ignore", () => {
    for (const h of [
      "",
      "garbage",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is invalid
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace-id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent-id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // uppercase
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
      "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 55 chars
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // short trace-id
      "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
      `${VALID},${VALID}`, // two headers folded into one
    ]) {
      expect(parseTraceparent(h), h).toBeNull();
    }
  });
});
