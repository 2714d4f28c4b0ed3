/**
 * Streaming summaries of one numeric feature: count, mean, sample standard deviation, min, max,
 * and how many values were missing (null / undefined), NaN or infinite. The running state keeps
 * Welford's sum of squared deviations (M2) so two summaries can be merged exactly (Chan, Golub &
 * LeVeque's parallel variance), e.g. per-minute windows into an hour. Every function is pure:
 * adding a value returns a new summary.
 */

/** A value as it arrives in an input row; `null` / `undefined` count as missing. */
export type NumericInput = number | null | undefined;

/** The mergeable running state of a numeric feature. Plain data: JSON-serialisable. */
export interface FeatureSummary {
  /** Finite values seen; mean, m2, min and max are over these only. */
  count: number;
  /** Values that were `null` or `undefined`. */
  missing: number;
  /** Values that were NaN. */
  nan: number;
  /** Values that were +Infinity or −Infinity (kept out of the moments, as Evidently drops them). */
  infinite: number;
  /** Mean of the finite values; 0 when there are none. */
  mean: number;
  /** Sum of squared deviations from the mean (Welford's M2); 0 when there are none. */
  m2: number;
  /** Smallest finite value; null when there are none. */
  min: number | null;
  /** Largest finite value; null when there are none. */
  max: number | null;
}

/** What a dashboard shows for a summary. */
export interface SummaryStats {
  /** Finite values. */
  count: number;
  /** null / undefined values. */
  missing: number;
  /** NaN values. */
  nan: number;
  /** ±Infinity values. */
  infinite: number;
  /** Mean of the finite values; null when there are none. */
  mean: number | null;
  /** Sample standard deviation (divisor n − 1); null below two values. */
  std: number | null;
  /** Population variance (divisor n); null when there are no values. */
  populationVariance: number | null;
  /** Smallest finite value; null when there are none. */
  min: number | null;
  /** Largest finite value; null when there are none. */
  max: number | null;
}

/** The summary of no values. */
export function emptySummary(): FeatureSummary {
  return { count: 0, missing: 0, nan: 0, infinite: 0, mean: 0, m2: 0, min: null, max: null };
}

/** `summary` with one more value (Welford's update). */
export function addValue(summary: FeatureSummary, value: NumericInput): FeatureSummary {
  if (value === null || value === undefined) return { ...summary, missing: summary.missing + 1 };
  if (Number.isNaN(value)) return { ...summary, nan: summary.nan + 1 };
  if (!Number.isFinite(value)) return { ...summary, infinite: summary.infinite + 1 };
  const count = summary.count + 1;
  const delta = value - summary.mean;
  const mean = summary.mean + delta / count;
  return {
    ...summary,
    count,
    mean,
    m2: summary.m2 + delta * (value - mean),
    min: summary.min === null || value < summary.min ? value : summary.min,
    max: summary.max === null || value > summary.max ? value : summary.max,
  };
}

/** The summary of `values` in one pass. */
export function summarize(values: Iterable<NumericInput>): FeatureSummary {
  let count = 0;
  let missing = 0;
  let nan = 0;
  let infinite = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value === null || value === undefined) missing++;
    else if (Number.isNaN(value)) nan++;
    else if (!Number.isFinite(value)) infinite++;
    else {
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  return { count, missing, nan, infinite, mean, m2, min: count > 0 ? min : null, max: count > 0 ? max : null };
}

/**
 * One summary of the values behind `a` and `b` together: the same, up to rounding, as summarizing
 * the concatenation. Associative and commutative, so windows can be merged in any grouping.
 */
export function mergeSummaries(a: FeatureSummary, b: FeatureSummary): FeatureSummary {
  const count = a.count + b.count;
  const missing = a.missing + b.missing;
  const nan = a.nan + b.nan;
  const infinite = a.infinite + b.infinite;
  if (a.count === 0) return { ...b, missing, nan, infinite };
  if (b.count === 0) return { ...a, missing, nan, infinite };
  const delta = b.mean - a.mean;
  return {
    count,
    missing,
    nan,
    infinite,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    min: Math.min(a.min!, b.min!),
    max: Math.max(a.max!, b.max!),
  };
}

/** The figures of a summary: mean, sample std (n − 1), population variance, min, max, counts. */
export function summaryStats(summary: FeatureSummary): SummaryStats {
  const { count, missing, nan, infinite, min, max } = summary;
  return {
    count,
    missing,
    nan,
    infinite,
    mean: count > 0 ? summary.mean : null,
    std: count > 1 ? Math.sqrt(summary.m2 / (count - 1)) : null,
    populationVariance: count > 0 ? summary.m2 / count : null,
    min,
    max,
  };
}
