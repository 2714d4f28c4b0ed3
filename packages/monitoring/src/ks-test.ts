/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, matching `scipy.stats.ks_2samp` (what
 * Evidently's `ks` stattest calls):
 * - statistic D = max |F₁(x) − F₂(x)| over the pooled values (right-continuous ECDFs, so ties
 *   are handled as scipy does); computed in integers, D = h / lcm(n1, n2), so it is exact;
 * - p-value, `mode`:
 *   - `exact`: P(D ≥ d) by lattice-path counting (see {@link ksExactPValue}); exact for
 *     continuous data, conservative-ish approximation with ties (scipy applies it all the same);
 *   - `asymp`: Kolmogorov's limit Q(√(n1·n2/(n1+n2)) · D). scipy ≥ 1.5 uses the finite-n
 *     one-sample distribution `kstwo(round(en))` here instead, which differs by O(1/√en);
 *   - `auto` (default, scipy's rule): exact when max(n1, n2) ≤ 10 000, else asymp; exact falls
 *     back to asymp when it fails numerically or lcm(n1, n2) does not fit in an int32.
 */
import { gcd, kolmogorovSf, ksExactPValueCached } from './ks-distribution.js';

/** scipy's `MAX_AUTO_N`: `auto` computes the exact p-value up to this sample size. */
export const KS_MAX_EXACT_SIZE = 10_000;

/** How the KS p-value is computed. */
export type KsMode = 'auto' | 'exact' | 'asymp';

/** Options for {@link ksTwoSample}. */
export interface KsOptions {
  /**
   * p-value method.
   * @defaultValue `'auto'`
   */
  mode?: KsMode;
}

/** The statistic of two samples, with its integer form. */
export interface KsStatistic {
  /** D = max |F₁ − F₂|. */
  statistic: number;
  /** D · lcm(n1, n2), an integer. */
  h: number;
  /** Size of the first sample. */
  n1: number;
  /** Size of the second sample. */
  n2: number;
}

/** Outcome of {@link ksTwoSample}. */
export interface KsResult extends KsStatistic {
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
}

/** The two-sample KS statistic of samples `a` and `b` (neither empty, no NaN). */
export function ksStatistic(a: readonly number[], b: readonly number[]): KsStatistic {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('the KS test needs two non-empty samples');
  return ksStatisticOfSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort()); // typed-array sort is numeric, NaN last
}

/** {@link ksStatistic} of two samples already sorted ascending (e.g. a prepared reference's). */
export function ksStatisticOfSorted(x: Float64Array, y: Float64Array): KsStatistic {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('the KS test needs two non-empty samples');
  if (Number.isNaN(x[n1 - 1]) || Number.isNaN(y[n2 - 1])) throw new RangeError('the KS test needs samples without NaN');
  // Walk the pooled values; after all copies of a value, F₁ − F₂ = (i·n2 − j·n1) / (n1·n2).
  let i = 0;
  let j = 0;
  let widest = 0;
  while (i < n1 && j < n2) {
    const value = Math.min(x[i]!, y[j]!);
    while (i < n1 && x[i] === value) i++;
    while (j < n2 && y[j] === value) j++;
    const diff = Math.abs(i * n2 - j * n1);
    if (diff > widest) widest = diff;
  }
  // Once one sample is used up the gap only shrinks, so the loop has already seen the maximum.
  const g = gcd(n1, n2);
  const h = widest / g;
  return { statistic: h / ((n1 / g) * n2), h, n1, n2 };
}

/** Kolmogorov's asymptotic two-sample p-value for statistic `d`. */
export function ksAsymptoticPValue(d: number, n1: number, n2: number): number {
  const en = (n1 * n2) / (n1 + n2);
  return kolmogorovSf(Math.sqrt(en) * d);
}

/** Two-sided two-sample Kolmogorov–Smirnov test of samples `a` and `b` (neither empty, no NaN). */
export function ksTwoSample(a: readonly number[], b: readonly number[], options: KsOptions = {}): KsResult {
  return ksTwoSampleOfSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort(), options);
}

/** {@link ksTwoSample} of two samples already sorted ascending. */
export function ksTwoSampleOfSorted(x: Float64Array, y: Float64Array, options: KsOptions = {}): KsResult {
  const stat = ksStatisticOfSorted(x, y);
  const { n1, n2, h } = stat;
  const mode = options.mode ?? 'auto';
  const lcm = (n1 / gcd(n1, n2)) * n2;
  const wantExact = mode === 'exact' || (mode === 'auto' && Math.max(n1, n2) <= KS_MAX_EXACT_SIZE);
  if (wantExact && lcm <= 2_147_483_647) {
    const pValue = ksExactPValueCached(n1, n2, h);
    if (!Number.isNaN(pValue)) return { ...stat, pValue, method: 'exact' };
  }
  return { ...stat, pValue: ksAsymptoticPValue(stat.statistic, n1, n2), method: 'asymp' };
}
