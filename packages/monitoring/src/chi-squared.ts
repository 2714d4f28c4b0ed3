/**
 * Pearson's chi-squared goodness-of-fit test (as `scipy.stats.chisquare`) and Evidently's use of
 * it for a categorical feature: observed = current counts per category, expected = reference
 * share × current size, over the union of categories; p-value from the chi-squared upper tail
 * with k − 1 degrees of freedom, Q(df/2, x/2) (regularized upper incomplete gamma).
 */
import { countCategories, sortedCategories, type Category } from './feature-values.js';
import { regularizedGammaQ } from './gamma.js';

/** Outcome of a chi-squared test. */
export interface ChiSquaredResult {
  /** Σ (observed − expected)² / expected; Infinity when a category is observed but not expected. */
  statistic: number;
  /** Degrees of freedom: categories − 1 − ddof. */
  df: number;
  /** P(χ²_df ≥ statistic); NaN when df < 1. */
  pValue: number;
}

/** P(χ²_df ≥ x): the chi-squared survival function. */
export function chiSquaredSf(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** P(χ²_df ≤ x): the chi-squared cumulative distribution function. */
export function chiSquaredCdf(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (x <= 0) return 0;
  return 1 - chiSquaredSf(x, df);
}

/**
 * Chi-squared goodness of fit of `observed` counts to `expected` counts (equal shares of the
 * observed total when omitted), as `scipy.stats.chisquare(f_obs, f_exp, ddof)`.
 * @param ddof - degrees of freedom taken off k − 1 (default 0)
 */
export function chiSquaredTest(observed: readonly number[], expected?: readonly number[], ddof = 0): ChiSquaredResult {
  const k = observed.length;
  if (expected !== undefined && expected.length !== k) throw new RangeError(`observed and expected differ in length: ${k} vs ${expected.length}`);
  const total = observed.reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const o = observed[i]!;
    const e = expected === undefined ? total / k : expected[i]!;
    // 0/0 (a category neither expected nor seen) adds nothing; o > 0 = e gives Infinity.
    if (o !== e) statistic += ((o - e) * (o - e)) / e;
  }
  const df = k - 1 - ddof;
  return { statistic, df, pValue: chiSquaredSf(statistic, df) };
}

/** {@link ChiSquaredResult} with the categories and counts it compared. */
export interface CategoricalChiSquaredResult extends ChiSquaredResult {
  /** Every category seen in either sample, sorted. */
  categories: Category[];
  /** Current count per category. */
  observed: number[];
  /** Reference count per category × current size / reference size. */
  expected: number[];
}

/**
 * Evidently's `chisquare` stattest: does the current sample follow the reference's category
 * proportions? Both samples cleaned of missing values and non-empty. A category absent from the
 * reference but present in the current window makes the statistic Infinity (p-value 0).
 */
export function chiSquaredDrift(reference: readonly Category[], current: readonly Category[]): CategoricalChiSquaredResult {
  if (reference.length === 0 || current.length === 0) throw new RangeError('chi-squared needs a non-empty reference and current sample');
  return chiSquaredDriftOfCounts(countCategories(reference), reference.length, current);
}

/**
 * {@link chiSquaredDrift} with the reference given as its count per category (first-seen order)
 * and its size: what a prepared reference keeps, so windows do not recount it.
 */
export function chiSquaredDriftOfCounts(referenceCounts: ReadonlyMap<Category, number>, referenceSize: number, current: readonly Category[]): CategoricalChiSquaredResult {
  if (referenceSize === 0 || current.length === 0) throw new RangeError('chi-squared needs a non-empty reference and current sample');
  const currentCounts = countCategories(current);
  const categories = sortedCategories([...referenceCounts.keys(), ...currentCounts.keys()]);
  const scale = current.length / referenceSize;
  const observed = categories.map((key) => currentCounts.get(key) ?? 0);
  const expected = categories.map((key) => (referenceCounts.get(key) ?? 0) * scale);
  return { ...chiSquaredTest(observed, expected), categories, observed, expected };
}
