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
 * A seeded generator: sfc32 (Chris Doty-Humphrey's small fast counting generator, period ≥ 2^32,
 * passes PractRand to terabytes), its four words seeded by splitmix32 from `seed`.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // let the seed's bits spread before the first draw
  let spare: number | null = null;
  const next = (): number => nextUint32() / TWO_POW_32;
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
      // (u + 0.5) / 2^32 keeps u1 away from 0, where log would be -Infinity.
      const u1 = (nextUint32() + 0.5) / TWO_POW_32;
      const u2 = nextUint32() / TWO_POW_32;
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
