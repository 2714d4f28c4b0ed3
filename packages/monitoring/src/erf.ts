/**
 * The error function and the standard normal distribution built on it. erf is the regularized
 * incomplete gamma function at a = 1/2: erf(x) = P(1/2, x²) and erfc(x) = Q(1/2, x²) for x ≥ 0,
 * so the tails keep their relative precision (erfc(10) ≈ 2.1e-45 is not rounded to 0).
 */
import { regularizedGammaP, regularizedGammaQ } from './gamma.js';

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const p = regularizedGammaP(0.5, x * x);
  return x < 0 ? -p : p;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  return x < 0 ? 1 + regularizedGammaP(0.5, x * x) : regularizedGammaQ(0.5, x * x);
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
