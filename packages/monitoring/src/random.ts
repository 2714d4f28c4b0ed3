/**
 * A small deterministic random source for tests, fixtures and demos: the same seed gives the same
 * sequence on every platform (no `Math.random`). Not for anything security-related.
 */

/** A seeded stream of pseudo-random numbers. */
export interface Random {
  /** A uniform number in [0, 1) with 32 random bits. */
  next(): number;
  /** An integer uniform in [0, `maxExclusive`). */
  int(maxExclusive: number): number;
  /**
   * A normal variate (Box–Muller, both values of each pair used).
   * @param mean - the distribution's mean (default 0)
   * @param std - the distribution's standard deviation (default 1)
   */
  normal(mean?: number, std?: number): number;
}

const TWO_POW_32 = 4_294_967_296;

/**
 * The project's one seeded generator (tests, fixtures, demos, the iris split, bench bodies):
 * mulberry32, a 32-bit state generator with period 2^32. Small and fast, and good enough for
 * the sample sizes drawn here (its known statistical flaws show only far beyond them); kept
 * over a library because every earlier copy in the tree used it, so seeded inputs (and the
 * iris train/test split) stay as they were.
 * @returns uniform numbers in [0, 1), 32 random bits each.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}

/** A {@link Random} on {@link mulberry32}: `next()` yields exactly `mulberry32(seed)`'s stream. */
export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  let spare: number | null = null;
  return {
    next,
    int(maxExclusive) {
      return Math.floor(next() * maxExclusive);
    },
    normal(mean = 0, std = 1) {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return mean + std * z;
      }
      // 1 − u lies in (0, 1]: log never sees 0.
      const u1 = 1 - next();
      const u2 = next();
      const radius = Math.sqrt(-2 * Math.log(u1));
      spare = radius * Math.sin(2 * Math.PI * u2);
      return mean + std * radius * Math.cos(2 * Math.PI * u2);
    },
  };
}

/**
 * `count` normal variates drawn from `random`.
 * @param mean - the distribution's mean (default 0)
 * @param std - the distribution's standard deviation (default 1)
 */
export function normalSample(random: Random, count: number, mean = 0, std = 1): number[] {
  return Array.from({ length: count }, () => random.normal(mean, std));
}
