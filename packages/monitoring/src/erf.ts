/**
 * The error function and the standard normal distribution built on it, from @stdlib's erf and
 * erfc (accurate in the tails: erfc(10) ≈ 2.1e-45 is not rounded to 0).
 */
import stdlibErf from '@stdlib/math-base-special-erf';
import stdlibErfc from '@stdlib/math-base-special-erfc';

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  return stdlibErf(x);
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  return stdlibErfc(x);
}

/**
 * Φ((x − mean) / std): the normal cumulative distribution function, P(X ≤ x).
 * @param mean - the distribution's mean (default 0)
 * @param std - the distribution's standard deviation (default 1)
 */
export function normalCdf(x: number, mean = 0, std = 1): number {
  return 0.5 * erfc(-(x - mean) / (std * Math.SQRT2));
}

/**
 * 1 − Φ((x − mean) / std): the normal survival function, P(X > x), accurate in the upper tail.
 * @param mean - the distribution's mean (default 0)
 * @param std - the distribution's standard deviation (default 1)
 */
export function normalSf(x: number, mean = 0, std = 1): number {
  return 0.5 * erfc((x - mean) / (std * Math.SQRT2));
}
