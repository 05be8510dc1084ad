import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";
import { toHex, utf8 } from "./bytes.ts";
import { EMPTY_ROOT, defaultHasher, entryLeafHash, hashChildren, hashLeaf, rfc9162Hasher, sha256 } from "./hash.ts";

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

describe("rfc9162Hasher", () => {
  const node = rfc9162Hasher((...parts) => {
    const h = createHash("sha256");
    for (const p of parts) h.update(p);
    return Uint8Array.from(h.digest());
  });

  it("refuses a SHA-256 implementation that gives wrong digests", () => {
    expect(() => rfc9162Hasher(() => new Uint8Array(32))).toThrow(/wrong digests/);
    // Right for one part, wrong for several (it ignores all but the first): refused too.
    expect(() => rfc9162Hasher((...parts) => createHash("sha256").update(parts[0]!).digest())).toThrow(/wrong digests/);
  });

  it("over Node's SHA-256 gives the default hasher's digests", () => {
    const entry = { seq: 7, id: "e", attributes: { é: [1.5, null] } };
    const leaf = Uint8Array.of(1, 2, 3);
    const l = new Uint8Array(32);
    const r = new Uint8Array(32).fill(1);
    expect(node.hashLeaf(leaf)).toEqual(defaultHasher.hashLeaf(leaf));
    expect(node.hashChildren(l, r)).toEqual(defaultHasher.hashChildren(l, r));
    expect(node.emptyRoot()).toEqual(EMPTY_ROOT);
    expect(entryLeafHash(entry, node)).toEqual(entryLeafHash(entry));
    expect(Buffer.from(sha256(new Uint8Array(0), node)).toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("hands out a fresh empty root each time", () => {
    const a = defaultHasher.emptyRoot();
    a[0] = 0;
    expect(defaultHasher.emptyRoot()).toEqual(EMPTY_ROOT);
  });
});
