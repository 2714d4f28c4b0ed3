/**
 * Per-feature and dataset drift with Evidently's defaults (`_get_default_stattest`, v0.4–0.7):
 *
 * | reference rows (after dropping missing) | feature                          | method          | drift when      |
 * |-----------------------------------------|----------------------------------|-----------------|-----------------|
 * | ≤ 1000                                  | numeric, > 5 distinct values     | KS p-value      | p ≤ 0.05        |
 * | ≤ 1000                                  | any other, > 2 distinct values   | chi-squared p   | p < 0.05        |
 * | ≤ 1000                                  | any other, ≤ 2 distinct values   | z-test p        | p < 0.05        |
 * | > 1000                                  | numeric, > 5 distinct values     | Wasserstein / σ | distance ≥ 0.1  |
 * | > 1000                                  | any other                        | Jensen–Shannon  | distance ≥ 0.1  |
 *
 * "Distinct values" counts reference and current together. The comparisons (≤ for KS, < for
 * chi-squared and z, ≥ for distances) are Evidently's own. PSI is reported alongside for every
 * feature (drifted at ≥ 0.1, significant at ≥ 0.2) without deciding `drifted`. The dataset
 * drifts when at least half of the features drift.
 */
import { chiSquaredDriftOfCounts } from './chi-squared.js';
import { finiteNumbers, inferFeatureType, presentValues, type Category, type FeatureType, type FeatureValue } from './feature-values.js';
import { jensenShannonDrift } from './jensen-shannon.js';
import { ksTwoSampleOfSorted, type KsMode } from './ks-test.js';
import { prepareFeature, preparedReference, type PreparedFeature } from './prepared-reference.js';
import { PSI_DRIFT_THRESHOLD, PSI_SIGNIFICANT_THRESHOLD, populationStabilityIndex, psiOfPrepared, type PsiOptions } from './psi.js';
import type { ReferenceProfile } from './reference-profile.js';
import { normalizedWassersteinDistance } from './wasserstein.js';
import { zTestDrift } from './z-test.js';

/** Drift methods, named as in the monitoring wire format. */
export type DriftMethod = 'ks' | 'chi-squared' | 'z-test' | 'wasserstein' | 'jensen-shannon';

/** Evidently's reference size above which distances replace tests. */
export const LARGE_REFERENCE_ROWS = 1000;

/** Evidently's default threshold per method: a p-value for tests, a distance otherwise. */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = Object.freeze({
  ks: 0.05,
  'chi-squared': 0.05,
  'z-test': 0.05,
  wasserstein: 0.1,
  'jensen-shannon': 0.1,
});

/** Evidently's share of drifted features at which the dataset drifts. */
export const DEFAULT_DATASET_DRIFT_SHARE = 0.5;

/** Whether a method's score is a p-value (drift below the threshold) or a distance (drift above). */
export function driftDirection(method: DriftMethod): 'below' | 'above' {
  return method === 'wasserstein' || method === 'jensen-shannon' ? 'above' : 'below';
}

/** A feature's values on one side of a comparison. */
export interface FeatureColumn {
  /** Feature name, reported in the result. */
  name: string;
  /** Raw values; missing ones are dropped before testing. */
  values: readonly FeatureValue[];
  /** Known type; inferred from the values when absent. */
  type?: FeatureType;
}

/** Options for {@link detectFeatureDrift}. */
export interface FeatureDriftOptions {
  /**
   * Method to use instead of Evidently's choice.
   * @defaultValue chosen by {@link selectDriftMethod}
   */
  method?: DriftMethod;
  /**
   * Threshold to use instead of the method's default.
   * @defaultValue {@link DEFAULT_DRIFT_THRESHOLDS}[method]
   */
  threshold?: number;
  /**
   * Reference rows above which distances replace tests.
   * @defaultValue 1000
   */
  largeReferenceRows?: number;
  /**
   * KS p-value method.
   * @defaultValue `'auto'`
   */
  ksMode?: KsMode;
  /**
   * Binning of the PSI reported alongside.
   * @defaultValue 10 reference-quantile bins (numeric, > 20 distinct values), else per value
   */
  psi?: PsiOptions;
  /**
   * PSI at or above which `psi.drifted` is set.
   * @defaultValue 0.1
   */
  psiThreshold?: number;
  /**
   * PSI at or above which `psi.significant` is set.
   * @defaultValue 0.2
   */
  psiSignificantThreshold?: number;
}

/** The drift verdict on one feature. */
export interface FeatureDrift {
  /** Feature name. */
  feature: string;
  /** Type the feature was compared as. */
  type: FeatureType;
  /** Test or distance used. */
  method: DriftMethod;
  /** Test statistic (KS D, χ², z) or, for distances, the distance itself. */
  statistic: number;
  /** The p-value, for the tests. */
  pValue?: number;
  /** What is compared with the threshold: the p-value for tests, the distance otherwise. */
  score: number;
  /** `below`: drift when score is under the threshold (p-values); `above`: over it (distances). */
  direction: 'below' | 'above';
  /** The threshold `score` was compared with. */
  threshold: number;
  /** Whether the method says the feature drifted. */
  drifted: boolean;
  /**
   * Population Stability Index, always reported, never part of `drifted`: `drifted` when
   * value ≥ threshold (0.1), `significant` when value ≥ 0.2.
   */
  psi: { value: number; threshold: number; drifted: boolean; significant: boolean };
  /** Reference values compared, after dropping missing ones. */
  referenceSize: number;
  /** Current values compared, after dropping missing ones. */
  currentSize: number;
}

/**
 * Evidently's default method for a feature of `type` with `referenceSize` usable reference
 * values and `distinctValues` distinct values across reference and current.
 */
export function selectDriftMethod(type: FeatureType, referenceSize: number, distinctValues: number, largeReferenceRows = LARGE_REFERENCE_ROWS): DriftMethod {
  if (referenceSize <= largeReferenceRows) {
    if (type === 'numeric' && distinctValues > 5) return 'ks';
    return distinctValues > 2 ? 'chi-squared' : 'z-test';
  }
  return type === 'numeric' && distinctValues > 5 ? 'wasserstein' : 'jensen-shannon';
}

/** Is `score` on the drifted side of `threshold` for `method` (Evidently's comparisons)? */
function isDrifted(method: DriftMethod, score: number, threshold: number): boolean {
  switch (method) {
    case 'ks':
      return score <= threshold;
    case 'chi-squared':
    case 'z-test':
      return score < threshold;
    default:
      return score >= threshold;
  }
}

/**
 * Compares a feature's current values with its reference values. Missing values (null, NaN,
 * ±Infinity; strings in a numeric feature) are dropped first; throws RangeError when either
 * side has no usable value left. A {@link PreparedFeature} reference (see preparedReference)
 * gives the same verdict without redoing the reference's share of the work.
 */
export function detectFeatureDrift(reference: FeatureColumn | PreparedFeature, current: readonly FeatureValue[], options: FeatureDriftOptions = {}): FeatureDrift {
  const prepared = 'prepared' in reference
    ? reference
    : prepareFeature(reference.name, reference.values, reference.type ?? inferFeatureType(reference.values, current));
  const { type, values: ref } = prepared;
  const cur: Category[] = type === 'numeric' ? finiteNumbers(current) : presentValues(current);
  if (ref.length === 0) throw new RangeError(`feature "${reference.name}": no usable reference values`);
  if (cur.length === 0) throw new RangeError(`feature "${reference.name}": no usable current values`);

  // Distinct values of reference and current together: the reference's, plus the current's new ones.
  let distinct = prepared.distinct.size;
  const added = new Set<Category>();
  for (const value of cur) {
    if (!prepared.distinct.has(value) && !added.has(value)) {
      added.add(value);
      distinct++;
    }
  }
  const method = options.method ?? selectDriftMethod(type, ref.length, distinct, options.largeReferenceRows);
  const threshold = options.threshold ?? DEFAULT_DRIFT_THRESHOLDS[method];
  let statistic: number;
  let pValue: number | undefined;
  switch (method) {
    case 'ks': {
      if (type !== 'numeric') throw new RangeError(`feature "${reference.name}": the KS test needs a numeric feature`);
      const result = ksTwoSampleOfSorted(prepared.sorted!, Float64Array.from(cur as number[]).sort(), options.ksMode ? { mode: options.ksMode } : {});
      statistic = result.statistic;
      pValue = result.pValue;
      break;
    }
    case 'wasserstein':
      if (type !== 'numeric') throw new RangeError(`feature "${reference.name}": Wasserstein distance needs a numeric feature`);
      statistic = normalizedWassersteinDistance(ref as number[], cur as number[]);
      break;
    case 'chi-squared': {
      const result = chiSquaredDriftOfCounts(prepared.counts, ref.length, cur);
      statistic = result.statistic;
      pValue = result.pValue;
      break;
    }
    case 'z-test': {
      const result = zTestDrift(ref, cur);
      statistic = result.statistic;
      pValue = result.pValue;
      break;
    }
    case 'jensen-shannon':
      statistic = jensenShannonDrift(ref, cur, { type });
      break;
  }
  const score = pValue ?? statistic;
  const psiThreshold = options.psiThreshold ?? PSI_DRIFT_THRESHOLD;
  const psiValue = options.psi ? populationStabilityIndex(ref, cur, { type, ...options.psi }) : psiOfPrepared(prepared, cur);
  return {
    feature: reference.name,
    type,
    method,
    statistic,
    ...(pValue !== undefined ? { pValue } : {}),
    score,
    direction: driftDirection(method),
    threshold,
    drifted: isDrifted(method, score, threshold),
    psi: {
      value: psiValue,
      threshold: psiThreshold,
      drifted: psiValue >= psiThreshold,
      significant: psiValue >= (options.psiSignificantThreshold ?? PSI_SIGNIFICANT_THRESHOLD),
    },
    referenceSize: ref.length,
    currentSize: cur.length,
  };
}

/** Drift of a dataset (a window) from its per-feature verdicts. */
export interface DatasetDrift {
  /** share ≥ threshold (false with no features). */
  drifted: boolean;
  /** Share of features that drifted (0 when there are none). */
  share: number;
  /** The share at or above which the dataset drifts. */
  threshold: number;
  /** Features judged. */
  featureCount: number;
  /** Names of the features that drifted. */
  driftedFeatures: string[];
}

/** Evidently's dataset drift: drifted when the share of drifted features is ≥ `share`. */
export function detectDatasetDrift(results: readonly FeatureDrift[], share = DEFAULT_DATASET_DRIFT_SHARE): DatasetDrift {
  const driftedFeatures = results.filter((r) => r.drifted).map((r) => r.feature);
  const fraction = results.length === 0 ? 0 : driftedFeatures.length / results.length;
  return { drifted: results.length > 0 && fraction >= share, share: fraction, threshold: share, featureCount: results.length, driftedFeatures };
}

/** Options for {@link detectProfileDrift}. */
export interface ProfileDriftOptions extends FeatureDriftOptions {
  /**
   * Share of drifted features at which the dataset drifts.
   * @defaultValue 0.5
   */
  datasetShare?: number;
}

/** Drift of one window against a reference profile. */
export interface ProfileDrift {
  /** One verdict per tested feature, in the profile's order. */
  features: FeatureDrift[];
  /** Features of the profile with no usable value in the window (not tested, not counted). */
  skipped: string[];
  /** Dataset drift over the tested features. */
  dataset: DatasetDrift;
}

/**
 * Compares a window of rows with a reference profile, feature by feature, then decides dataset
 * drift. Features with no usable value in the window are listed in `skipped`.
 */
export function detectProfileDrift(
  profile: ReferenceProfile,
  rows: ReadonlyArray<Readonly<Record<string, FeatureValue>>>,
  options: ProfileDriftOptions = {},
): ProfileDrift {
  const columns = new Map<string, FeatureValue[]>();
  for (const name of profile.featureNames) columns.set(name, rows.map((row) => row[name]));
  return detectProfileDriftOfColumns(profile, columns, options);
}

/**
 * {@link detectProfileDrift} of a window held column-wise (feature name → its values; a feature
 * without a column has no usable value). The profile's features are prepared once per profile
 * object (see preparedReference): a profile must not be changed once used.
 */
export function detectProfileDriftOfColumns(
  profile: ReferenceProfile,
  columns: ReadonlyMap<string, readonly FeatureValue[]>,
  options: ProfileDriftOptions = {},
): ProfileDrift {
  const { datasetShare, ...featureOptions } = options;
  const features: FeatureDrift[] = [];
  const skipped: string[] = [];
  for (const name of profile.featureNames) {
    const feature = profile.features[name];
    if (feature === undefined) continue;
    const current = columns.get(name) ?? [];
    const usable = feature.type === 'numeric' ? finiteNumbers(current) : presentValues(current);
    if (usable.length === 0 || feature.values.length === 0) {
      skipped.push(name);
      continue;
    }
    features.push(detectFeatureDrift(preparedReference(feature), usable, featureOptions));
  }
  return { features, skipped, dataset: detectDatasetDrift(features, datasetShare) };
}
