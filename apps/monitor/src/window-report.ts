/**
 * One window's report, computed from its items: input feature statistics, output distribution,
 * latency and throughput, and drift against the version's reference (Evidently's defaults via
 * @inferq/monitoring) with a persistence rule on top. Pure.
 */
import type { FeatureDriftResult, FeatureWindowStats, WindowDrift, WindowReport } from '@inferq/contract';
import { detectFeatureDrift, detectProfileDriftOfColumns, histogramCounts, preparedReference, quantileSorted, summarize, summaryStats, type FeatureDrift } from '@inferq/monitoring';
import type { LoadedReference } from './reference-profiles.js';
import type { WindowItem } from './window-item.js';

/** Drift settings of a report. */
export interface DriftSettings {
  /** Dataset drift at this share of drifted features (Evidently: 0.5). */
  shareThreshold: number;
  /** A feature is `persistent` when it drifted in this many consecutive windows (this one included). */
  persistence: number;
}

/** What a report is built from. */
export interface WindowInput {
  model: string;
  version: string;
  labels?: readonly string[];
  seq: number;
  items: readonly WindowItem[];
  reference?: LoadedReference;
  /** Earlier reports of the version, newest first (at least persistence − 1 of them, when they exist). */
  previous: readonly WindowReport[];
  drift: DriftSettings;
}

/** The `p`-quantile (0..1) of sorted values (numpy's linear method, the package's one quantile); null when empty. */
const quantile = (sorted: readonly number[], p: number): number | null => (sorted.length === 0 ? null : quantileSorted(sorted, p));

const finite = (values: ReadonlyArray<number | null>): number[] => values.filter((v): v is number => v !== null && Number.isFinite(v));
const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
const round = (v: number | null, digits = 6): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(digits)));

/** Builds the report of one closed window. */
export function buildWindowReport(input: WindowInput): WindowReport {
  const { items } = input;
  const times = items.map((i) => i.t);
  const completed = items.filter((i) => i.ok === 1);

  // Input features: every feature any item carries, values of all rows.
  const columns = new Map<string, Array<number | null>>();
  for (const item of items) {
    for (const [name, values] of Object.entries(item.f)) {
      let column = columns.get(name);
      if (!column) columns.set(name, (column = []));
      for (const v of values) column.push(v);
    }
  }
  const features: Record<string, FeatureWindowStats> = {};
  for (const [name, values] of columns) {
    const stats = summaryStats(summarize(values));
    const entry: FeatureWindowStats = {
      count: stats.count, missing: stats.missing + stats.nan + stats.infinite,
      mean: round(stats.mean), std: round(stats.std), min: stats.min, max: stats.max,
    };
    const referenceFeature = input.reference?.profile.features[name];
    const histogram = referenceFeature?.histogram;
    if (histogram && histogram.edges.length > 1) {
      const present = finite(values);
      const low = histogram.edges[0]!;
      const high = histogram.edges[histogram.edges.length - 1]!;
      entry.histogram = {
        edges: histogram.edges, reference: histogram.counts, current: histogramCounts(present, histogram.edges),
        below: present.filter((v) => v < low).length, above: present.filter((v) => v > high).length,
      };
    }
    if (referenceFeature?.summary) entry.reference = { mean: round(referenceFeature.summary.mean), std: round(referenceFeature.summary.std) };
    features[name] = entry;
  }

  // Outputs: class distribution, confidence, rows without a usable output.
  const classCounts: Record<string, number> = {};
  let nullOutputs = 0;
  const confidences: number[] = [];
  const predicted: number[] = [];
  for (const item of completed) {
    for (const c of item.cls ?? []) {
      if (c === null) {
        nullOutputs++;
        continue;
      }
      predicted.push(c);
      const key = input.labels?.[c] ?? String(c);
      classCounts[key] = (classCounts[key] ?? 0) + 1;
    }
    confidences.push(...finite(item.conf ?? []));
  }

  const latencies = finite(items.map((i) => i.lat)).sort((a, b) => a - b);
  const waits = finite(items.map((i) => i.qw)).sort((a, b) => a - b);
  const rows = items.reduce((n, i) => n + i.r, 0);
  const spanMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  const estimatedRows = items.reduce((n, i) => n + i.r / i.s, 0);
  const estimatedPredictions = items.reduce((n, i) => n + 1 / i.s, 0);

  const report: WindowReport = {
    model: input.model,
    version: input.version,
    window: input.seq,
    startedAt: times.length ? Math.min(...times) : 0,
    endedAt: times.length ? Math.max(...times) : 0,
    rows,
    predictions: items.length,
    failed: items.length - completed.length,
    features,
    outputs: { classCounts, meanConfidence: round(mean(confidences)), nullOutputs },
    latencyMs: { p50: round(quantile(latencies, 0.5)), p95: round(quantile(latencies, 0.95)), p99: round(quantile(latencies, 0.99)) },
    queueWaitMsP95: round(quantile(waits, 0.95)),
    batchSizeMean: round(mean(finite(items.map((i) => i.bs)))),
    throughput: spanMs > 0 ? round(estimatedRows / (spanMs / 1000)) : null,
    sampleRate: estimatedPredictions > 0 ? round(items.length / estimatedPredictions)! : 1,
    estimatedPredictions: Math.round(estimatedPredictions),
  };

  const reference = input.reference;
  if (!reference) {
    report.driftSkipped = 'no reference sample for this version (models/<model>/<version>/reference.csv or PUT …/reference)';
    return report;
  }
  const result = detectProfileDriftOfColumns(reference.profile, columns, { datasetShare: input.drift.shareThreshold });
  if (result.features.length === 0) {
    report.driftSkipped = `no feature of the reference (${reference.profile.featureNames.join(', ')}) is in the window`;
    return report;
  }
  const drifted = (name: string, report: WindowReport) => report.drift?.features[name]?.drifted === true;
  const consecutive = (name: string): boolean => {
    for (let back = 1; back < input.drift.persistence; back++) {
      const earlier = input.previous[back - 1];
      if (!earlier || earlier.window !== input.seq - back || !drifted(name, earlier)) return false;
    }
    return true;
  };
  const toResult = (d: FeatureDrift): FeatureDriftResult => ({
    method: d.method, score: round(d.score, 8)!, threshold: d.threshold, direction: d.direction, drifted: d.drifted,
    persistent: d.drifted && consecutive(d.feature), psi: round(d.psi.value, 6)!,
  });
  const drift: WindowDrift = {
    share: result.dataset.share,
    datasetDrift: result.dataset.drifted,
    shareThreshold: result.dataset.threshold,
    persistence: input.drift.persistence,
    persistentFeatures: [],
    features: {},
    reference: { rows: reference.rows, source: reference.source },
  };
  for (const d of result.features) drift.features[d.feature] = toResult(d);
  drift.persistentFeatures = Object.entries(drift.features).filter(([, d]) => d.persistent).map(([name]) => name);
  // Prediction drift: predicted classes against the reference's class column (no labels needed).
  if (reference.target && predicted.length > 0) {
    try {
      const d = detectFeatureDrift(preparedReference(reference.target), predicted);
      drift.prediction = { ...toResult({ ...d, feature: '\u0000prediction' }), persistent: d.drifted && consecutivePrediction(input) };
    } catch {
      // no usable values on one side: no verdict
    }
  }
  report.drift = drift;
  return report;
}

/** Predictions drifted in the `persistence − 1` windows before this one too. */
function consecutivePrediction(input: WindowInput): boolean {
  for (let back = 1; back < input.drift.persistence; back++) {
    const earlier = input.previous[back - 1];
    if (!earlier || earlier.window !== input.seq - back || earlier.drift?.prediction?.drifted !== true) return false;
  }
  return true;
}
