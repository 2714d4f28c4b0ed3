/**
 * A reference profile: what drift detection compares live windows against, built once from a
 * reference sample (the training data, or `reference.csv` stored with the model version) and
 * storable as JSON next to the model.
 *
 * ```json
 * { "version": 1, "rows": 120, "featureNames": ["petal_length", "label"],
 *   "features": {
 *     "petal_length": { "name": "petal_length", "type": "numeric", "missing": 0, "values": [1.4, 4.7, …],
 *                       "summary": { "count": 120, "mean": 3.76, "std": 1.76, … },
 *                       "histogram": { "edges": [1, 1.74, …], "counts": [24, 9, …] } },
 *     "label": { "name": "label", "type": "categorical", "missing": 0, "values": [0, 0, …],
 *                "categories": [{ "value": 0, "count": 40 }, …] } } }
 * ```
 *
 * The raw values are kept: the KS test, Wasserstein distance and Evidently's binning need the
 * whole reference sample, not a summary of it.
 */
import { histogramCounts, sturgesEdges } from './binning.js';
import { countCategories, finiteNumbers, inferFeatureType, presentValues, sortedCategories, type Category, type FeatureType, type FeatureValue } from './feature-values.js';
import { summarize, summaryStats, type SummaryStats } from './summary.js';

/** Format version of {@link ReferenceProfile}. */
export const REFERENCE_PROFILE_VERSION = 1;

/** One feature of a reference profile. */
export interface ReferenceFeature {
  /** Feature name (the column name). */
  name: string;
  /** Inferred with Evidently's rule (see inferFeatureType) unless given. */
  type: FeatureType;
  /** Reference values with missing ones (null, NaN, ±Infinity) dropped, in row order. */
  values: Category[];
  /** Rows whose value was missing or unusable (null, NaN, ±Infinity; a string in a numeric feature). */
  missing: number;
  /** Numeric features: count, mean, std, min, max, … of the values. */
  summary?: SummaryStats;
  /** Numeric features: Sturges bins of the reference (for charts: bin live windows on the same edges). */
  histogram?: { edges: number[]; counts: number[] };
  /** Categorical features: count per value, values sorted. */
  categories?: Array<{ value: Category; count: number }>;
}

/** Reference data for drift detection, JSON-serialisable. */
export interface ReferenceProfile {
  /** Format version, {@link REFERENCE_PROFILE_VERSION}. */
  version: typeof REFERENCE_PROFILE_VERSION;
  /** Rows in the reference sample. */
  rows: number;
  /** Features in their original order. */
  featureNames: string[];
  /** Feature name → its reference data. */
  features: Record<string, ReferenceFeature>;
}

/** Options for {@link buildReferenceProfile}. */
export interface ReferenceProfileOptions {
  /**
   * Feature types to use instead of inferring them.
   * @defaultValue `{}` (infer every type)
   */
  types?: Record<string, FeatureType>;
}

/** The profile entry of one feature from its raw reference values. */
export function buildReferenceFeature(name: string, raw: readonly FeatureValue[], type?: FeatureType): ReferenceFeature {
  const featureType = type ?? inferFeatureType(raw);
  if (featureType === 'numeric') {
    const values = finiteNumbers(raw);
    const edges = sturgesEdges(values);
    return {
      name,
      type: featureType,
      values,
      missing: raw.length - values.length,
      summary: summaryStats(summarize(values)),
      histogram: { edges, counts: histogramCounts(values, edges) },
    };
  }
  const values = presentValues(raw);
  const counts = countCategories(values);
  return {
    name,
    type: featureType,
    values,
    missing: raw.length - values.length,
    categories: sortedCategories(counts.keys()).map((value) => ({ value, count: counts.get(value)! })),
  };
}

/**
 * Builds a reference profile of `featureNames` from reference rows (e.g. `parseReferenceCsv(text).rows`).
 * A row without a feature's key counts as missing for it.
 */
export function buildReferenceProfile(
  rows: ReadonlyArray<Readonly<Record<string, FeatureValue>>>,
  featureNames: readonly string[],
  options: ReferenceProfileOptions = {},
): ReferenceProfile {
  const features: Record<string, ReferenceFeature> = {};
  for (const name of featureNames) {
    features[name] = buildReferenceFeature(name, rows.map((row) => row[name]), options.types?.[name]);
  }
  return { version: REFERENCE_PROFILE_VERSION, rows: rows.length, featureNames: [...featureNames], features };
}
