import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { toHex, utf8 } from "./bytes.ts";
import { EMPTY_ROOT, entryLeafHash, hashChildren, hashLeaf, sha256 } from "./hash.ts";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("sha256", () => {
  // FIPS 180-2 Appendix B.1 ("abc") and the empty message.
  it("matches the FIPS 180-2 examples", () => {
    expect(toHex(sha256(ascii("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(toHex(sha256(new Uint8Array(0)))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

// Known answers from transparency-dev/merkle rfc6962/rfc6962_test.go (TestRFC6962Hasher).
describe("RFC 6962/9162 hasher", () => {
  it("EMPTY_ROOT is SHA-256 of the empty string", () => {
    expect(toHex(EMPTY_ROOT)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("hashes the empty leaf differently from the empty tree", () => {
    expect(toHex(hashLeaf(new Uint8Array(0)))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  });

  it("hashes a leaf with the 0x00 prefix", () => {
    expect(toHex(hashLeaf(ascii("L123456")))).toBe("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  });

  it("hashes children with the 0x01 prefix, order-sensitively", () => {
    expect(toHex(hashChildren(ascii("N123"), ascii("N456")))).toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
    expect(toHex(hashChildren(ascii("N456"), ascii("N123")))).not.toBe(
      "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb",
    );
  });

  it("is second-preimage resistant across leaf/node (TestRFC6962HasherCollisions)", () => {
    const h1 = hashLeaf(ascii("Hello"));
    const h2 = hashLeaf(ascii("World"));
    expect(toHex(h1)).not.toBe(toHex(h2));
    const node = hashChildren(h1, h2);
    const forged = hashLeaf(new Uint8Array([...h1, ...h2]));
    expect(toHex(node)).not.toBe(toHex(forged));
  });
});

describe("entryLeafHash (SPEC §2)", () => {
  const entry = {
    seq: 1,
    timestamp: "2024-01-02T03:04:05.000Z",
    receivedAt: "2024-01-02T03:04:05.123Z",
    source: "svc-a",
    eventType: "read",
    requester: { id: "spiffe://example.org/ns/a/sa/b", type: "service" },
    target: { id: "db://orders/42" },
    outcome: "success",
  };

  it("is SHA-256(0x00 || UTF-8(JCS(entry)))", () => {
    const jcs = canonicalJson(entry);
    expect(jcs.startsWith('{"eventType":"read","outcome":"success","receivedAt"')).toBe(true);
    expect(toHex(entryLeafHash(entry))).toBe(toHex(sha256(new Uint8Array([0, ...utf8(jcs)]))));
  });

  it("does not depend on member order", () => {
    const reordered = Object.fromEntries(Object.entries(entry).reverse());
    expect(toHex(entryLeafHash(reordered))).toBe(toHex(entryLeafHash(entry)));
  });

  it("refuses an undefined field rather than hashing as if it were absent", () => {
    expect(() => entryLeafHash({ ...entry, reason: undefined })).toThrow(/\/reason/);
  });
});

describe("useSha256", () => {
  it("swaps in another implementation only if it gives the same digests", async () => {
    const { createHash } = await import("node:crypto");
    const { useSha256, hashLeaf, hashChildren, sha256 } = await import("./hash.ts");
    const before = [hashLeaf(Uint8Array.of(1, 2, 3)), hashChildren(new Uint8Array(32), new Uint8Array(32).fill(1))];
    expect(() => useSha256(() => new Uint8Array(32))).toThrow(/wrong digests/);
    useSha256((...parts) => {
      const h = createHash("sha256");
      for (const p of parts) h.update(p);
      return Uint8Array.from(h.digest());
    });
    expect([hashLeaf(Uint8Array.of(1, 2, 3)), hashChildren(new Uint8Array(32), new Uint8Array(32).fill(1))]).toEqual(
      before,
    );
    expect(Buffer.from(sha256(new Uint8Array(0))).toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});
