import { describe, expect, it } from "vitest";
import { camelColumns, flagColumn, numberOrNull } from "./rows.ts";

describe("row mapping", () => {
  it("copies only the named columns, under camelCase names, values untouched", () => {
    const row = { id: "v1", created_at: "2026-12-05T00:00:00Z", last_error_at: null, secret_hash: "x", n: 3 };
    const out = camelColumns(row, ["id", "created_at", "last_error_at"]);
    expect(out).toEqual({ id: "v1", createdAt: "2026-12-05T00:00:00Z", lastErrorAt: null });
    // A column not named never leaks into what the API returns.
    expect(Object.keys(out)).not.toContain("secretHash");
  });

  it("reads a BOOLEAN column as both dialects return it", () => {
    expect([true, 1, "1"].map(flagColumn)).toEqual([true, true, true]);
    expect([false, 0, "0", null].map(flagColumn)).toEqual([false, false, false, false]);
  });

  it("reads a nullable BIGINT that PostgreSQL returns as text", () => {
    expect([numberOrNull("9007199254740991"), numberOrNull(7), numberOrNull(null)]).toEqual([2 ** 53 - 1, 7, null]);
  });
});
