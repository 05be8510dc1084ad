import { describe, expect, it } from "vitest";
import {
  KEY_ROTATION_HEADER,
  checkKeyRotation,
  followKeyRotations,
  formatKeyRotation,
  parseKeyRotation,
  signKeyRotation,
} from "./key-rotation.ts";
import { generateSigningKey, signNote, verifierKeyString } from "./note.ts";

const ORIGIN = "example.test/log";
const seed = (b: number) => new Uint8Array(32).fill(b);
const key = (b: number) => {
  const k = generateSigningKey("example.test/log", seed(b));
  return { ...k, vkey: verifierKeyString(k.name, k.publicKey) };
};
const [a, b, c, x] = [key(1), key(2), key(3), key(9)];
const rotation = (from: typeof a, to: typeof a, size: number) =>
  signKeyRotation(
    { origin: ORIGIN, oldKey: from.vkey, newKey: to.vkey, treeSize: size, time: "2026-12-04T15:00:00Z" },
    from,
    to,
  );

describe("key rotation statements", () => {
  it("formats the documented text and parses it back", () => {
    const r = { origin: ORIGIN, oldKey: a.vkey, newKey: b.vkey, treeSize: 42, time: "2026-12-04T15:00:00Z" };
    const text = formatKeyRotation(r);
    expect(text).toBe(
      `${KEY_ROTATION_HEADER}\norigin ${ORIGIN}\nold ${a.vkey}\nnew ${b.vkey}\nsize 42\ntime 2026-12-04T15:00:00Z\n`,
    );
    expect(parseKeyRotation(text)).toEqual({ ok: true, rotation: r });
    expect(parseKeyRotation(text.replace("size 42", "size 042")).ok).toBe(false);
    expect(parseKeyRotation(text + "extra\n").ok).toBe(false);
    expect(parseKeyRotation(text.replace("old ", "new ")).ok).toBe(false);
  });

  it("needs both the old and the new key's signature, and the right origin", () => {
    const note = rotation(a, b, 5);
    expect(checkKeyRotation(note, ORIGIN)).toMatchObject({ ok: true, rotation: { treeSize: 5 } });
    expect(checkKeyRotation(note, "other.test/log")).toMatchObject({ ok: false });
    const text = formatKeyRotation({ origin: ORIGIN, oldKey: a.vkey, newKey: b.vkey, treeSize: 5, time: "t" });
    // Signed only by the new key (an insider without the old key): refused.
    expect(checkKeyRotation(signNote(text, [b]), ORIGIN)).toMatchObject({ ok: false, reason: /old key/ });
    // Signed only by the old key: the new key never agreed.
    expect(checkKeyRotation(signNote(text, [a]), ORIGIN)).toMatchObject({ ok: false, reason: /new key/ });
    // One changed byte in the body breaks both signatures.
    expect(checkKeyRotation(note.replace("size 5", "size 6"), ORIGIN).ok).toBe(false);
  });

  it("follows a chain from a pinned key, in any order, and rejects what does not chain", () => {
    const statements = [rotation(b, c, 20), rotation(a, b, 10), rotation(x, c, 30)];
    const r = followKeyRotations([{ verifierKey: a.vkey, why: "pinned" }], statements, ORIGIN);
    expect(r.trusted.map((t) => t.verifierKey)).toEqual([a.vkey, b.vkey, c.vkey]);
    expect(r.trusted[2]).toMatchObject({ fromSize: 20, why: /tree size 20/ });
    expect(r.rejected).toEqual([{ statement: 2, reason: expect.stringMatching(/not trusted/) }]);
    // Pinning the later key does not make the earlier one trusted (statements only go forward).
    const fromC = followKeyRotations([{ verifierKey: c.vkey, why: "pinned" }], statements, ORIGIN);
    expect(fromC.trusted.map((t) => t.verifierKey)).toEqual([c.vkey]);
    expect(followKeyRotations([], statements, ORIGIN).trusted).toEqual([]);
  });
});
