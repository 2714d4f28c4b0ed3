/**
 * The reference side of a drift comparison, computed once: what {@link detectFeatureDrift} needs
 * from a reference column that does not depend on the current window (cleaned values, their
 * numeric sort, distinct values, category counts, PSI's quantile edges and reference shares).
 * The monitor compares every window of a version with the same reference, so recomputing these
 * per window was most of a window report's CPU (the iris reference: 120 rows re-sorted and
 * re-binned 3 times per feature per window; see docs/benchmarks.md "Where the CPU goes").
 * Results are identical to computing from the raw column: the same functions on the same values.
 */
import { fillEmptyShares, histogramCounts, MAX_UNIQUE_FOR_PER_VALUE_BINS, quantileEdges } from './binning.js';
import { countCategories, finiteNumbers, presentValues, type Category, type FeatureType, type FeatureValue } from './feature-values.js';

/** PSI's default quantile bins (see populationStabilityIndex). */
const PSI_BINS = 10;

/** A reference column prepared for repeated drift comparisons. Treat as immutable. */
export interface PreparedFeature {
  /** Marks a prepared reference (vs a raw FeatureColumn). */
  readonly prepared: true;
  /** Feature name. */
  readonly name: string;
  /** The type the feature is compared as. */
  readonly type: FeatureType;
  /** Usable reference values in row order: finite numbers (numeric) or present values (categorical). */
  readonly values: readonly Category[];
  /** Numeric features: the values sorted ascending (what the KS statistic walks). */
  readonly sorted: Float64Array | null;
  /** Distinct usable values. */
  readonly distinct: ReadonlySet<Category>;
  /** Count per usable value, in first-seen order. */
  readonly counts: ReadonlyMap<Category, number>;
  /**
   * PSI's default binning when it is by intervals (numeric, > 20 distinct values): the reference
   * quantile edges and the reference's filled shares per bin; null when PSI bins per value.
   */
  readonly psiBins: { readonly edges: readonly number[]; readonly shares: readonly number[] } | null;
}

/** Prepares reference values (raw: missing ones are dropped here) of a feature of a known type. */
export function prepareFeature(name: string, raw: readonly FeatureValue[], type: FeatureType): PreparedFeature {
  const values: Category[] = type === 'numeric' ? finiteNumbers(raw) : presentValues(raw);
  const counts = countCategories(values);
  const distinct = new Set<Category>(counts.keys());
  let sorted: Float64Array | null = null;
  let psiBins: PreparedFeature['psiBins'] = null;
  if (type === 'numeric') {
    sorted = Float64Array.from(values as number[]).sort();
    if (distinct.size > MAX_UNIQUE_FOR_PER_VALUE_BINS && values.length > 0) {
      const edges = quantileEdges(values as number[], PSI_BINS);
      psiBins = { edges, shares: fillEmptyShares(histogramCounts(values as number[], edges).map((count) => count / values.length)) };
    }
  }
  return { prepared: true, name, type, values, sorted, distinct, counts, psiBins };
}

const cache = new WeakMap<object, PreparedFeature>();

/**
 * The preparation of a reference feature of a profile (anything with name, type and values),
 * computed on first use and kept as long as the feature object lives. The feature's values must
 * not change afterwards (profiles are built once and never mutated).
 */
export function preparedReference(feature: { readonly name: string; readonly type: FeatureType; readonly values: readonly FeatureValue[] }): PreparedFeature {
  let prepared = cache.get(feature);
  if (!prepared) cache.set(feature, (prepared = prepareFeature(feature.name, feature.values, feature.type)));
  return prepared;
}
