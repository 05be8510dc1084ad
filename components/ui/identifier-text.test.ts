import { describe, expect, it } from "vitest";
import { middleEllipsis, splitIdentifier } from "./identifier-text.ts";

describe("splitIdentifier", () => {
  it("keeps short values whole", () => {
    expect(splitIdentifier("db://pg/cards")).toEqual({ head: "db://pg/cards", tail: "" });
  });
  it("keeps the distinguishing end of a SPIFFE id whole", () => {
    const { head, tail } = splitIdentifier("spiffe://prod.example.com/ns/payments/sa/orders-api");
    expect(tail).toBe("/sa/orders-api");
    expect(head + tail).toBe("spiffe://prod.example.com/ns/payments/sa/orders-api");
  });
  it("keeps the last 12 characters of a separator-less end (a hash: both ends stay visible)", () => {
    const v = `spiffe://x/${"a".repeat(1000)}`;
    const { head, tail } = splitIdentifier(v);
    expect(tail).toBe("a".repeat(12));
    expect(head + tail).toBe(v);
    expect(splitIdentifier("d0a3b4c5".repeat(8)).tail).toBe("d0a3b4c5".repeat(8).slice(-12));
  });
  it("takes a separator up to 32 characters from the end", () => {
    const v = `db://payments-pg/${"s".repeat(100)}/cardholder-data.cards-2026`;
    expect(splitIdentifier(v).tail).toBe("/cardholder-data.cards-2026");
  });
  it("never takes more than half the value for the tail", () => {
    const v = "abcdefghijklmnopqrstu/wxyz"; // the separator is 5 from the end: below the minimum
    expect(splitIdentifier(v).tail).toHaveLength(12);
    expect(splitIdentifier("abcdefghijklmnopqrstuvwx").tail).toHaveLength(12);
  });
  it("never splits a surrogate pair", () => {
    const v = "🔑".repeat(40);
    const { head, tail } = splitIdentifier(v);
    expect(head + tail).toBe(v);
    expect(Array.from(tail)).toHaveLength(12);
    expect(tail.codePointAt(0)).toBe(0x1f511);
  });
});

describe("middleEllipsis", () => {
  it("leaves values that fit", () => {
    expect(middleEllipsis("payments", 26)).toBe("payments");
  });
  it("cuts the middle and keeps the end", () => {
    const v = `spiffe://prod.example.com/ns/${"very-long-".repeat(50)}/sa/orders-api`;
    const s = middleEllipsis(v, 30);
    expect(Array.from(s)).toHaveLength(30);
    expect(s.startsWith("spiffe://")).toBe(true);
    expect(s.endsWith("/sa/orders-api")).toBe(true);
    expect(s).toContain("…");
  });
  it("still fits when the budget is tiny", () => {
    expect(Array.from(middleEllipsis("a".repeat(100), 5))).toHaveLength(5);
    expect(middleEllipsis("abc", 1)).toBe("…");
  });
});
