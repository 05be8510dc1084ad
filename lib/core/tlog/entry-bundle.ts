import { HASH_SIZE, TILE_WIDTH } from "./tile.ts";

// Entry bundles (https://c2sp.org/tlog-tiles §Log entries): "sequences of big-endian uint16
// length-prefixed log entries". Each entry's RFC 6962 leaf hash, SHA-256(0x00 || entry),
// is the matching hash of the level-0 tile — for Ledgerline an entry is its RFC 8785 bytes
// (SPEC §2), so a reader recomputes every leaf hash from the bundle alone.

/** The largest entry a uint16 length prefix can carry. */
export const MAX_ENTRY_BYTES = 0xffff;

/**
 * Encodes entries as one bundle. Invariant: throws when there are more than 256 entries or
 * an entry is longer than 65,535 bytes (it could not be length-prefixed).
 */
export function encodeEntryBundle(entries: Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new Error(`an entry bundle holds at most ${TILE_WIDTH} entries`);
  let total = 0;
  for (const [i, e] of entries.entries()) {
    if (!(e instanceof Uint8Array)) throw new Error(`entry ${i} must be bytes`);
    if (e.length > MAX_ENTRY_BYTES) throw new Error(`entry ${i} is ${e.length} bytes; at most ${MAX_ENTRY_BYTES} fit`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const e of entries) {
    out[o] = e.length >>> 8;
    out[o + 1] = e.length & 0xff;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

/**
 * Decodes a bundle into its entries (copies). Invariant: throws unless the bytes are
 * exactly a sequence of `expected` length-prefixed entries (when given) with nothing left
 * over — a truncated or padded bundle is an error, never a shorter list.
 */
export function decodeEntryBundle(data: Uint8Array, expected?: number): Uint8Array[] {
  if (!(data instanceof Uint8Array)) throw new Error("entry bundle must be bytes");
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 2 > data.length) throw new Error(`entry bundle is truncated in the length of entry ${out.length}`);
    const len = (data[o]! << 8) | data[o + 1]!;
    if (o + 2 + len > data.length) throw new Error(`entry bundle is truncated in entry ${out.length}`);
    out.push(data.slice(o + 2, o + 2 + len));
    o += 2 + len;
    if (out.length > TILE_WIDTH) throw new Error(`entry bundle has more than ${TILE_WIDTH} entries`);
  }
  if (expected !== undefined && out.length !== expected) {
    throw new Error(`entry bundle has ${out.length} entries, expected ${expected}`);
  }
  return out;
}

/** Concatenates hashes into tile bytes (the level-0 tile a bundle must match, for instance). */
export function joinHashes(hashes: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new Error(`hash ${i} must be ${HASH_SIZE} bytes`);
    out.set(h, i * HASH_SIZE);
  });
  return out;
}
