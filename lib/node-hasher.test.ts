import { describe, expect, it } from "vitest";
import { defaultHasher, hashChildren, hashLeaf, utf8 } from "@/lib/core/index.ts";
import { hashLeafText, nodeHasher, parentLevel } from "./node-hasher.ts";

// The server's native hasher gives the pure reference implementation's digests (RFC 9162 leaf and
// node hashes), including the one-call leaf hash of a string — for ASCII, multi-byte UTF-8,
// astral characters, an embedded U+0000 and the empty string — and returns plain 32-byte arrays.

const TEXTS = ["", '{"id":"evt-1","outcome":"success"}', "Zürich – 東京 – 🎉", "a\u0000b", "x".repeat(70_000)];

describe("nodeHasher", () => {
  it("hashes leaves and nodes as the reference hasher does", () => {
    for (const t of TEXTS) {
      const bytes = utf8(t);
      const want = hashLeaf(bytes, defaultHasher);
      expect(Buffer.from(hashLeaf(bytes, nodeHasher)).equals(Buffer.from(want))).toBe(true);
      expect(Buffer.from(hashLeafText(t)).equals(Buffer.from(want))).toBe(true);
    }
    const [a, b] = [hashLeafText("a"), hashLeafText("b")];
    expect(Buffer.from(hashChildren(a, b, nodeHasher)).equals(Buffer.from(hashChildren(a, b, defaultHasher)))).toBe(
      true,
    );
  });

  it("returns plain, unshared 32-byte arrays", () => {
    const x = hashLeafText("x");
    const y = hashLeaf(utf8("y"), nodeHasher);
    for (const h of [x, y]) {
      expect(h).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(h)).toBe(false);
      expect(h.length).toBe(32);
      expect(h.buffer.byteLength).toBe(32);
    }
  });

  it("hashes a flat level of nodes pair by pair, leaving an odd last one out", () => {
    const leaves = ["a", "b", "c", "d", "e"].map((t) => hashLeafText(t));
    const flat = new Uint8Array(leaves.length * 32);
    leaves.forEach((l, i) => flat.set(l, i * 32));
    const up = parentLevel(flat);
    expect(up.length).toBe(64);
    expect(
      Buffer.from(up.subarray(0, 32)).equals(Buffer.from(hashChildren(leaves[0]!, leaves[1]!, defaultHasher))),
    ).toBe(true);
    expect(
      Buffer.from(up.subarray(32, 64)).equals(Buffer.from(hashChildren(leaves[2]!, leaves[3]!, defaultHasher))),
    ).toBe(true);
    expect(parentLevel(flat.subarray(0, 32)).length).toBe(0);
  });
});
