/**
 * Two-proportion z-test with the pooled standard error, and Evidently's `z` stattest for binary
 * features: the share of values that are not the smallest category, reference vs current,
 * z = (p₁ − p₂) / √(P(1 − P)(1/n₁ + 1/n₂)) with P pooled; two-sided p-value 2·(1 − Φ(|z|)),
 * computed as erfc(|z|/√2) so small p-values keep their digits.
 */
import { erfc } from './erf.js';
import { countCategories, sortedCategories, type Category } from './feature-values.js';

/** Outcome of a z-test. */
export interface ZTestResult {
  /** The z statistic (sign: first proportion minus second). */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Pooled two-proportion z-test of `successes1 / n1` against `successes2 / n2`. When the pooled
 * proportion is 0 or 1 there is no variance and no evidence of a difference: z = 0, p = 1.
 */
export function twoProportionZTest(successes1: number, n1: number, successes2: number, n2: number): ZTestResult {
  if (!(n1 > 0) || !(n2 > 0)) throw new RangeError('both samples must be non-empty');
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return { statistic: 0, pValue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: erfc(Math.abs(statistic) / Math.SQRT2) };
}

/** {@link ZTestResult} with the category it counted. */
export interface CategoricalZTestResult extends ZTestResult {
  /** Values equal to this (the smallest category) count 0, all others 1. */
  baseline: Category;
}

/**
 * Evidently's `z` stattest on a (nearly) binary feature, both samples cleaned of missing values
 * and non-empty: if each sample holds one and the same single value, p = 1; otherwise each value
 * is 0 when it equals the smallest category of the union (sorted as Python's `sorted` would), 1
 * otherwise, and the two shares of 1 are compared with {@link twoProportionZTest}.
 */
export function zTestDrift(reference: readonly Category[], current: readonly Category[]): CategoricalZTestResult {
  if (reference.length === 0 || current.length === 0) throw new RangeError('z-test needs a non-empty reference and current sample');
  const referenceCounts = countCategories(reference);
  const currentCounts = countCategories(current);
  const baseline = sortedCategories([...referenceCounts.keys(), ...currentCounts.keys()])[0]!; // both samples are non-empty
  if (referenceCounts.size === 1 && currentCounts.size === 1 && referenceCounts.has(baseline) && currentCounts.has(baseline)) {
    return { statistic: 0, pValue: 1, baseline };
  }
  const referenceOnes = reference.length - (referenceCounts.get(baseline) ?? 0);
  const currentOnes = current.length - (currentCounts.get(baseline) ?? 0);
  return { ...twoProportionZTest(referenceOnes, reference.length, currentOnes, current.length), baseline };
}
