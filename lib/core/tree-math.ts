// Integer helpers of the RFC 9162 tree algorithms, shared by proof generation
// (merkle.ts), verification (merkle-verify.ts) and the compact range (compact-range.ts).
// Sizes and indices are plain numbers: / 2 and % 2, not the bitwise operators, which
// truncate to 32 bits — a long-lived log may pass 2^31 entries.

export const HASH_SIZE = 32;

export function assertCount(n: unknown, what: string): asserts n is number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${what} must be a non-negative safe integer, got ${String(n)}`);
  }
}

export function assertHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new Error(`${what} must be a ${HASH_SIZE}-byte hash`);
  }
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

export function half(n: number): number {
  return Math.floor(n / 2);
}

/** Largest power of two strictly below n (n >= 2): the RFC 9162 split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

export function popCount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = half(x)) if (isOdd(x)) c++;
  return c;
}

/** MTH over hashes[start:end) by streaming them through a right-edge stack: O(n) hashes, O(log n) memory. */

export function checkInclusionArgs(index: number, size: number): void {
  assertCount(index, "index");
  assertCount(size, "size");
  if (index >= size) throw new Error(`index ${index} is outside a tree of size ${size}`);
}

export function checkConsistencyArgs(m: number, n: number): void {
  assertCount(m, "old size");
  assertCount(n, "new size");
  if (m > n) throw new Error(`old size ${m} is larger than new size ${n}`);
}

/** Climbs past the levels where node `fn` is the last one (`sn`) and has no right sibling. */
export function climbRightEdge(fn: number, sn: number): [number, number] {
  while (!isOdd(fn) && fn !== 0) {
    fn = half(fn);
    sn = half(sn);
  }
  return [fn, sn];
}
