/**
 * Monitoring wire formats: what the worker appends to the prediction log, what the API appends
 * to the feedback log, and what the monitor stores (window reports, metric series, alerts).
 * The Redis keys that hold them are listed in redis-keys.ts.
 *
 * Prediction log entry (one per sampled prediction, JSON in field `d` of a stream entry):
 *
 * ```json
 * { "id": "bXlG…", "model": "iris", "version": "1", "status": "completed",
 *   "createdAt": 1795316133499, "finishedAt": 1795316133503, "sampleRate": 1, "rows": 1,
 *   "worker": "host-4121-a1b2c3", "device": "cpu",
 *   "timings": { "queueWaitMs": 2, "inferenceMs": 0.09, "totalMs": 4, "batchSize": 7, "batchRequests": 3 },
 *   "inputs": { "features": { "kind": "tabular", "shapes": [[1, 4], [1, 4]], "featureNames": ["sepal_length", …], "rows": [[6.7, 3, 5.2, 2.3]] } },
 *   "outputs": { "classes": [2], "labels": ["virginica"], "confidence": [0.93] } }
 * ```
 *
 * Inputs are summarised, never copied: a 2-D `[N, F]` input whose model config names its
 * features keeps each row's values; an image `[N, C, H, W]` (C = 1 or 3) keeps each row's
 * brightness (mean value); any other numeric tensor keeps each row's mean/std/min/max.
 *
 * Workers write one stream entry per batch instead (`PredictionLogBatch`, JSON in field `b`): the
 * batch's sampled predictions of one model version, shared fields once and the rest as
 * per-prediction arrays, inputs summarised column-wise over the batch's rows. Readers expand it
 * into the entries above; the exported `logId` of its i-th prediction is `<stream id>:<i>`. The
 * API still writes cache hits as single entries (field `d`), and entries of older workers may
 * remain in the stream: readers take both.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ErrorCode } from './error-codes.js';
import type { PredictionTimings } from './prediction.js';
import type { TrafficRoute } from './traffic-policy.js';

/** Consumer group of the monitor processes on the prediction and feedback logs. */
export const MONITOR_CONSUMER_GROUP = 'monitor';

/** Summary of one input tensor of a logged prediction; every array has one entry per row. */
export type InputSummary =
  | { kind: 'tabular'; featureNames: string[]; rows: Array<Array<number | null>> }
  | { kind: 'image'; shape: number[]; brightness: Array<number | null> }
  | { kind: 'tensor'; shape: number[]; mean: Array<number | null>; std: Array<number | null>; min: Array<number | null>; max: Array<number | null> }
  | { kind: 'other'; shape: number[]; datatype: string };

/**
 * Per-row outputs of a prediction: the predicted class (argmax of a probability / score output,
 * or the model's integer label output), its name, and the confidence (largest probability).
 * `null` marks a row for which the model gave no usable value (a "null output").
 */
export interface OutputSummary {
  classes: Array<number | null>;
  labels?: Array<string | null>;
  confidence?: Array<number | null>;
  /** How many output values of the prediction were NaN or ±∞ (absent when none). */
  nonFinite?: number;
}

/** One logged prediction. */
export interface PredictionLogEntry {
  id: string;
  model: string;
  version: string;
  status: 'completed' | 'failed';
  errorCode?: ErrorCode;
  createdAt: number;
  finishedAt: number;
  /** Probability with which this prediction was logged (PREDICTION_LOG_SAMPLE_RATE). */
  sampleRate: number;
  /** Rows (samples) in the prediction's inputs. */
  rows: number;
  worker: string;
  device: string;
  /** Why `version` served it (traffic policy); absent in entries written before policies existed. */
  route?: TrafficRoute;
  /** Set on a shadow prediction: the id of the primary it mirrors. */
  shadowOf?: string;
  timings: PredictionTimings;
  inputs: Record<string, InputSummary>;
  outputs?: OutputSummary;
  /** True when the prediction cache answered it (logged by the API; `worker` and `device` are empty). */
  cached?: true;
}

/**
 * Summary of one input over all rows of a logged batch, in prediction order: `shapes` holds each
 * prediction's tensor shape, whose first dimension (1 for a scalar) counts its rows. The same
 * kinds as `InputSummary`; a table is stored column-wise.
 */
export type BatchInputSummary =
  | { kind: 'tabular'; shapes: number[][]; featureNames: string[]; columns: Array<Array<number | null>> }
  | { kind: 'image'; shapes: number[][]; brightness: Array<number | null> }
  | { kind: 'tensor'; shapes: number[][]; mean: Array<number | null>; std: Array<number | null>; min: Array<number | null>; max: Array<number | null> }
  | { kind: 'other'; shapes: number[][]; datatype: string };

/** Per-prediction values of a batch; `null` where a prediction has none. */
export type PerPrediction<T> = Array<T | null>;

/**
 * The sampled predictions of one worker batch (one model version) in one prediction log stream
 * entry (JSON in field `b`). Arrays without a comment hold one value per prediction, in order.
 * Expanding it gives the `PredictionLogEntry` of each prediction, field for field.
 *
 * ```json
 * { "model": "iris", "version": "1", "worker": "host-4121-a1b2c3", "device": "cpu",
 *   "finishedAt": 1795316133503, "sampleRate": 1, "ids": ["bXlG…", "c2Vx…"],
 *   "createdAt": [1795316133499, 1795316133500], "rows": [1, 1], "ok": [1, 1],
 *   "timings": { "queueWaitMs": [2, 1], "totalMs": [4, 3], "batchSize": [2, 2], "batchRequests": [2, 2] },
 *   "inputs": { "features": { "kind": "tabular", "shapes": [[1, 4], [1, 4]], "featureNames": ["sepal_length", …], "columns": [[6.7, 5.1], [3, 3.5], …] } },
 *   "outputs": { "rows": [1, 1], "classes": [2, 0], "confidence": [0.93, 0.98], "labels": ["virginica", "setosa"] } }
 * ```
 */
export interface PredictionLogBatch {
  model: string;
  version: string;
  worker: string;
  device: string;
  /** When the batch finished (epoch ms): every prediction's `finishedAt`. */
  finishedAt: number;
  sampleRate: number;
  ids: string[];
  createdAt: number[];
  rows: number[];
  /** 1 = completed, 0 = failed. */
  ok: Array<0 | 1>;
  /** Present when some prediction has one. */
  errorCode?: PerPrediction<ErrorCode>;
  route?: PerPrediction<TrafficRoute>;
  shadowOf?: PerPrediction<string>;
  /** Timing name → its value per prediction. */
  timings: { [K in keyof PredictionTimings]?: PerPrediction<NonNullable<PredictionTimings[K]>> };
  /** Input name → summary over the batch's rows. */
  inputs: Record<string, BatchInputSummary>;
  /**
   * Output summaries, when some prediction has one: `rows` per prediction (null: none) and the
   * per-row arrays of all of them; `labels` / `confidence` are present for all or none (one version).
   */
  outputs?: { rows: PerPrediction<number>; classes: Array<number | null>; confidence?: Array<number | null>; labels?: Array<string | null>; nonFinite?: PerPrediction<number> };
}

/**
 * A prediction log entry as exported, plus its `logId`: `<ms>-<seq>:<i>` for the i-th prediction of
 * a batch entry, the stream entry id `<ms>-<seq>` for a single entry. Either is a `since` cursor.
 */
export interface ExportedPredictionLogEntry extends PredictionLogEntry {
  logId: string;
}

/** Ground truth for one prediction, given by `POST /v1/predictions/:id/feedback`. */
export const FeedbackEntry = Type.Object({
  id: Type.String(),
  model: Type.String(),
  version: Type.String(),
  /** Epoch ms when the feedback arrived. */
  at: Type.Integer({ description: 'Epoch ms when the feedback arrived.' }),
  /** The class the model predicted, per row (null: no usable output). */
  predicted: Type.Array(Type.Union([Type.Integer(), Type.Null()]), { description: 'The class the model predicted, per row (null: no usable output).' }),
  /** The true class index, per row. */
  actual: Type.Array(Type.Integer(), { description: 'The true class index, per row.' }),
});
export type FeedbackEntry = Static<typeof FeedbackEntry>;

/** Statistics of one numeric feature over one window. */
export interface FeatureWindowStats {
  count: number;
  missing: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /**
   * Histogram of the window on the reference's bin edges (when a reference exists), for charts;
   * `below` / `above`: window values outside the reference's range.
   */
  histogram?: { edges: number[]; current: number[]; reference: number[]; below: number; above: number };
  /** The reference's mean and standard deviation of this feature, when it has it. */
  reference?: { mean: number | null; std: number | null };
}

/** The drift verdict of one feature in one window. */
export interface FeatureDriftResult {
  /** Test or distance used: `ks`, `chi-squared`, `z-test`, `wasserstein`, `jensen-shannon`, `psi`. */
  method: string;
  /** p-value for tests, the distance for distances. */
  score: number;
  /** Drift when `score < threshold` (tests) or `score > threshold` (distances). */
  threshold: number;
  /** `below` for p-values, `above` for distances. */
  direction: 'below' | 'above';
  drifted: boolean;
  /** Drifted in this window and the `persistence - 1` windows before it. */
  persistent: boolean;
  /** Population Stability Index, reported alongside (drift at ≥ 0.1, significant at ≥ 0.2). */
  psi?: number;
}

/** Drift of one window against the version's reference. */
export interface WindowDrift {
  /** Share of features that drifted. */
  share: number;
  /** Evidently's dataset drift: share ≥ `shareThreshold`. */
  datasetDrift: boolean;
  shareThreshold: number;
  /** Consecutive drifted windows needed for `persistent` (DRIFT_PERSISTENCE). */
  persistence: number;
  /** Features drifted in `persistence` consecutive windows. */
  persistentFeatures: string[];
  features: Record<string, FeatureDriftResult>;
  /**
   * Predicted classes against the reference's class column (`label`/`target`/`class`): the early
   * signal of concept drift before labels arrive. Not counted in `share`.
   */
  prediction?: FeatureDriftResult;
  /** Rows in the reference sample and where it came from. */
  reference: { rows: number; source: 'file' | 'upload' };
}

/** Everything the monitor computed for one window of one model version. */
export interface WindowReport {
  model: string;
  version: string;
  /** Window sequence number per model version, from 1. */
  window: number;
  /** Epoch ms of the first and last prediction in the window. */
  startedAt: number;
  endedAt: number;
  rows: number;
  predictions: number;
  failed: number;
  features: Record<string, FeatureWindowStats>;
  outputs: { classCounts: Record<string, number>; meanConfidence: number | null; nullOutputs: number };
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  queueWaitMsP95: number | null;
  batchSizeMean: number | null;
  /** Rows per second over the window, corrected for sampling. */
  throughput: number | null;
  drift?: WindowDrift;
  /** Why there is no drift section (no reference, or no feature in common). */
  driftSkipped?: string;
}

/** One point of a metric series. */
export interface SeriesPoint {
  /** Epoch ms (end of the window). */
  t: number;
  v: number;
  /** Window sequence number the point belongs to. */
  window: number;
}

/** What a running monitor writes every heartbeat (`{prefix}:monitor:heartbeat:{id}`). */
export interface MonitorHeartbeat {
  /** MONITOR_ID. */
  id: string;
  pid: number;
  host: string;
  /** Epoch ms of this heartbeat. */
  at: number;
  /** Epoch ms the monitor started. */
  startedAt: number;
  /** Time between heartbeats; the key lives three of them. */
  intervalMs: number;
}

/**
 * Whether a monitor is running, from the heartbeats: `up` while at least one heartbeat key
 * lives, `down` once every one has expired or been deleted (`downSince` = the last heartbeat
 * seen), `never` when no monitor ever ran on this Redis (MONITOR=false, or not started yet).
 */
export interface MonitorHealth {
  state: 'up' | 'down' | 'never';
  /** Live monitors' heartbeats. */
  monitors: MonitorHeartbeat[];
  /** Epoch ms of the latest heartbeat of any monitor; null when none ever ran. */
  lastSeenAt: number | null;
  /** `down` only: since when no monitor has been seen (its last heartbeat). */
  downSince: number | null;
}

/**
 * The monitor's windowing and alert thresholds (0 = rule off), read from the monitor's environment
 * (variable named first) and published for the dashboard.
 */
export interface MonitorSettings {
  /** `WINDOW_SIZE`: a window closes when it holds this many logged rows (0 = by time only). @defaultValue 50 */
  windowSize: number;
  /** `WINDOW_MS`: a window also closes this long after its first row (0 = by count only). @defaultValue 0 */
  windowMs: number;
  /** `FEEDBACK_WINDOW_SIZE`: the rolling accuracy is over the last this many labels (updated with every label; alerts judged once it is full). @defaultValue 50 */
  feedbackWindowSize: number;
  /** `DRIFT_SHARE_THRESHOLD`: dataset drift when at least this share of features drift (Evidently: 0.5). @defaultValue 0.5 */
  driftShareThreshold: number;
  /** `DRIFT_PERSISTENCE`: consecutive drifted windows before a feature-drift alert. @defaultValue 2 */
  driftPersistence: number;
  /** `ACCURACY_THRESHOLD`: alert when a feedback window's accuracy is below it (0 = off). @defaultValue 0.8 */
  accuracyThreshold: number;
  /** `LATENCY_P95_THRESHOLD_MS`: alert when a window's end-to-end p95 is above it (0 = off). @defaultValue 0 */
  latencyP95ThresholdMs: number;
  /** `MIN_MEAN_CONFIDENCE`: alert when a window's mean confidence is below it (0 = off). @defaultValue 0 */
  minMeanConfidence: number;
  /** `MAX_ERROR_RATE`: alert when a window's share of failed predictions is above it (1 = off). @defaultValue 0.05 */
  maxErrorRate: number;
}

/** A raised alert: the webhook payload, and one entry of the alert history. */
export const AlertEvent = Type.Object({
  model: Type.String(),
  version: Type.String(),
  /** Rule name, e.g. `dataset_drift`, `feature_drift:petal_length`, `accuracy_below`, `anomaly:latency_p95`. */
  rule: Type.String({ description: 'e.g. dataset_drift, feature_drift:petal_length, accuracy_below, anomaly:latency_p95' }),
  value: Type.Number(),
  threshold: Type.Number(),
  /** Window sequence number that raised it. */
  window: Type.Integer(),
  /** Epoch ms. */
  at: Type.Integer(),
  message: Type.String(),
});
export type AlertEvent = Static<typeof AlertEvent>;
