/**
 * The gamma function's logarithm and the regularized incomplete gamma functions P(a, x) and
 * Q(a, x) = 1 − P(a, x), from @stdlib (Boost's algorithms, maintained and tested upstream). They
 * give the chi-squared distribution (Q(k/2, x/2) is its upper tail) and erf (P(1/2, x²)).
 * These wrappers keep the names and domain rules (NaN outside a > 0, x ≥ 0) the rest of the
 * package and its scipy fixtures use.
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import gammaln from '@stdlib/math-base-special-gammaln';

/** ln Γ(x) for x > 0 (NaN otherwise). */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  return gammaln(x);
}

/**
 * The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), for a > 0, x ≥ 0.
 * NaN for arguments outside that domain.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === Infinity) return 1; // @stdlib answers NaN at x = ∞; the limit is 1
  return gammainc(x, a, true, false);
}

/**
 * The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x),
 * for a > 0, x ≥ 0. Computed directly in the upper tail, so tiny values keep their digits.
 * NaN for arguments outside that domain.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === Infinity) return 0; // @stdlib answers NaN at x = ∞; the limit is 0
  return gammainc(x, a, true, true);
}
