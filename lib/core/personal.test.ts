import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { entryParts, joinEntry } from "./entry-parts.ts";
import {
  commitPersonal,
  opensCommitment,
  personalCommitment,
  personalPointerProblem,
  valueAt,
  withValueAt,
} from "./personal.ts";

// Leaf v2's salted commitments (docs/format.md § 8.3).

const SALT = new Uint8Array(32).fill(0x11);

describe("personalCommitment", () => {
  it("is SHA-256(tag ‖ 0x00 ‖ salt ‖ JCS(value)) — known answer computed with sha256sum", () => {
    // (printf 'ledgerline/personal-commitment/v1\0'; head -c32 /dev/zero | tr '\0' '\021'; printf '"10.1.2.3"') | sha256sum
    expect(personalCommitment(SALT, '"10.1.2.3"')).toBe(
      "8ebe358a41adc7f0f09d61e92bd38e8999da2e710256ca606f509d5bcde50882",
    );
  });

  it("refuses a salt that is not 32 bytes", () => {
    expect(() => personalCommitment(new Uint8Array(16), '"x"')).toThrow(/32 bytes/);
  });

  it("opens only with the committed value and its salt", () => {
    const c = personalCommitment(SALT, canonicalJson({ b: 1, a: "x" }));
    const salt = "11".repeat(32);
    expect(opensCommitment(c, { a: "x", b: 1 }, salt)).toBe(true);
    expect(opensCommitment(c, { a: "x", b: 2 }, salt)).toBe(false);
    expect(opensCommitment(c, { a: "x", b: 1 }, "12".repeat(32))).toBe(false);
    expect(opensCommitment(c, { a: "x", b: 1 }, "zz")).toBe(false);
  });
});

describe("personal pointers", () => {
  it("allows requester id and ip, reason and attributes members only", () => {
    for (const p of ["/requester/ip", "/requester/id", "/reason", "/attributes/user", "/attributes/a~1b/c"])
      expect(personalPointerProblem(p), p).toBeNull();
    for (const p of ["/seq", "/timestamp", "/attributes", "/attributes/", "/requester/type", "/attributes/a~2", "ip"])
      expect(personalPointerProblem(p), p).not.toBeNull();
  });

  it("reads and removes members by RFC 6901 pointer without touching the input", () => {
    const doc = { attributes: { "a/b": 1, c: { d: 2 } } };
    expect(valueAt(doc, "/attributes/a~1b")).toBe(1);
    expect(valueAt(doc, "/attributes/c/d")).toBe(2);
    expect(valueAt(doc, "/attributes/x")).toBeUndefined();
    expect(withValueAt(doc, "/attributes/c/d", undefined)).toEqual({ attributes: { "a/b": 1, c: {} } });
    expect(doc.attributes.c.d).toBe(2);
  });
});

describe("v2 leaf", () => {
  const event = {
    timestamp: "2026-11-27T12:00:00.000Z",
    eventType: "read",
    requester: { id: "alice@example.com", type: "user", ip: "10.1.2.3" },
    target: { id: "db://x", service: "payments" },
    outcome: "success",
    reason: "on call",
    attributes: { user: "alice", n: 1 },
  };

  it("the joined parts are the JCS of the stripped entry plus leafVersion and personal", () => {
    const v2 = commitPersonal(event, ["/requester/ip", "/requester/id", "/attributes/user"], () => SALT)!;
    expect(v2.secrets.map((s) => s.pointer)).toEqual(["/attributes/user", "/requester/id", "/requester/ip"]);
    expect(v2.secrets[2]).toEqual({ pointer: "/requester/ip", value: '"10.1.2.3"', salt: "11".repeat(32) });
    expect(v2.personal["/requester/ip"]).toBe("8ebe358a41adc7f0f09d61e92bd38e8999da2e710256ca606f509d5bcde50882");
    const joined = joinEntry(entryParts(v2.stripped, v2.personal), "id-1", "2026-11-27T12:00:01.000Z", 7, "src");
    const leaf = {
      ...v2.stripped,
      id: "id-1",
      receivedAt: "2026-11-27T12:00:01.000Z",
      seq: 7,
      source: "src",
      leafVersion: 2,
      personal: v2.personal,
    };
    expect(joined).toBe(canonicalJson(leaf));
    expect(joined).not.toContain("10.1.2.3");
    expect(joined).not.toContain("alice");
    expect(joined).toContain('"requester":{"type":"user"}');
  });

  it("an event without any declared field stays a v1 leaf", () => {
    expect(commitPersonal(event, ["/attributes/none"], () => SALT)).toBeNull();
    expect(entryParts(event).b.startsWith('"outcome"')).toBe(true);
  });
});
