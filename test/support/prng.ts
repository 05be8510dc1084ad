// The one seeded pseudo-random generator of the tests, benchmarks and generators: a
// failure is reproducible from its seed, and a generated data set is the same on every
// run and machine. mulberry32: 32 bits of state, uniform enough for test data, not for
// anything secret (use node:crypto for that).

/** A function returning the next number in [0, 1) of the sequence `seed` starts. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
