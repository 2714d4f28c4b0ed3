/**
 * Anomaly rules over a metric series (LINE's Lupus style): each judges the LAST point of the
 * series against bounds derived from the points before it, and says why.
 * - {@link thresholdRule}: fixed lower / upper bounds;
 * - {@link windowRule}: the previous N points' mean ± k·std (or median ± k·MAD-scale), and/or a
 *   relative change against that centre;
 * - {@link holtWintersRule}: additive Holt–Winters one-step forecast ± k × residual std;
 * - {@link seasonalMedianRule}: median of the same phase in the previous K seasons ± k × a robust
 *   (MAD) scale of past residuals — the outlier-resistant alternative to Holt–Winters.
 * Points whose value is not finite are ignored in the history (Holt–Winters fills them with its
 * forecast instead, to keep the seasonal phase); a non-finite last point is never anomalous.
 * To draw bands over a whole series, apply a rule to each prefix `series.slice(0, i + 1)`.
 */
import { fitHoltWinters, sampleStd, type HoltWintersParameters } from './holt-winters.js';

/** One point of a metric series. */
export interface MetricPoint {
  /** Time (epoch ms, or any increasing number). */
  t: number;
  /** The metric's value at `t`. */
  value: number;
}

/** The verdict on one point. */
export interface AnomalyResult {
  /** Whether the value is outside the band. */
  anomalous: boolean;
  /** The value judged. */
  value: number;
  /** What the rule expected (mean, median or forecast); null for thresholds or without history. */
  expected: number | null;
  /** Lower bound of the normal band; null when unbounded below or not computable. */
  lower: number | null;
  /** Upper bound of the normal band; null when unbounded above or not computable. */
  upper: number | null;
  /** Human-readable explanation, e.g. "12.5 above upper bound 10". */
  reason: string;
}

/** Scale factor that makes the MAD a consistent estimator of σ for normal data: 1 / Φ⁻¹(3/4). */
export const MAD_TO_STD = 1.482602218505602;

/** A number for a message: integers as they are, others to 6 significant digits without trailing zeros. */
function format(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const text = value.toPrecision(6);
  if (text.includes('e')) return text.replace(/\.?0+e/, 'e');
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Median of `values` (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** MAD_TO_STD × median absolute deviation from the median: a robust standard deviation. */
export function robustScale(values: readonly number[]): number {
  const centre = median(values);
  return MAD_TO_STD * median(values.map((value) => Math.abs(value - centre)));
}

/** Judges `value` against a band, or reports it inside. */
function judge(value: number, expected: number | null, lower: number | null, upper: number | null, describe: string): AnomalyResult {
  if (upper !== null && value > upper) return { anomalous: true, value, expected, lower, upper, reason: `${format(value)} above upper bound ${format(upper)} (${describe})` };
  if (lower !== null && value < lower) return { anomalous: true, value, expected, lower, upper, reason: `${format(value)} below lower bound ${format(lower)} (${describe})` };
  return { anomalous: false, value, expected, lower, upper, reason: `${format(value)} within bounds (${describe})` };
}

function notJudged(value: number, reason: string): AnomalyResult {
  return { anomalous: false, value, expected: null, lower: null, upper: null, reason };
}

/** The last point and the finite values before it. */
function split(series: readonly MetricPoint[]): { value: number; history: number[] } | null {
  const last = series[series.length - 1];
  if (last === undefined) return null;
  return { value: last.value, history: series.slice(0, -1).map((p) => p.value).filter(Number.isFinite) };
}

/** Bounds of {@link thresholdRule}; either may be omitted. */
export interface ThresholdOptions {
  /** Anomalous below this. */
  lower?: number;
  /** Anomalous above this. */
  upper?: number;
}

/** Fixed threshold: anomalous when the value is above `upper` or below `lower` (bounds themselves are normal). */
export function thresholdRule(point: MetricPoint | number, options: ThresholdOptions): AnomalyResult {
  const value = typeof point === 'number' ? point : point.value;
  if (!Number.isFinite(value)) return notJudged(value, 'value is not a finite number');
  return judge(value, null, options.lower ?? null, options.upper ?? null, 'fixed threshold');
}

/** Options for {@link windowRule}. */
export interface WindowRuleOptions {
  /**
   * How many previous points form the baseline; the rule needs that many.
   * @defaultValue 20
   */
  window?: number;
  /**
   * Baseline centre and scale: `mean` with the sample std, or `median` with the MAD scaled to a std.
   * @defaultValue `'mean'`
   */
  center?: 'mean' | 'median';
  /**
   * Band half-width in scales: anomalous when |x − centre| > k · scale. Set to Infinity to use
   * only `relativeChange`.
   * @defaultValue 3
   */
  k?: number;
  /**
   * Also anomalous when |x − centre| > relativeChange · |centre| (e.g. 0.5 for ±50 %). Skipped when
   * the centre is 0.
   * @defaultValue undefined (off)
   */
  relativeChange?: number;
}

/**
 * Window rule: the last value against the previous `window` points — outside centre ± k·scale,
 * or (when `relativeChange` is set) changed by more than that fraction of the centre. The band
 * reported is the tighter of the two.
 */
export function windowRule(series: readonly MetricPoint[], options: WindowRuleOptions = {}): AnomalyResult {
  const { window = 20, center = 'mean', k = 3, relativeChange } = options;
  const parts = split(series);
  if (parts === null) return notJudged(Number.NaN, 'empty series');
  const { value, history } = parts;
  if (!Number.isFinite(value)) return notJudged(value, 'value is not a finite number');
  if (history.length < window) return notJudged(value, `not enough history: ${history.length} of ${window} points`);
  const recent = history.slice(-window);
  const centre = center === 'mean' ? recent.reduce((a, b) => a + b, 0) / recent.length : median(recent);
  const scale = center === 'mean' ? sampleStd(recent) ?? 0 : robustScale(recent);
  let lower = k === Infinity ? -Infinity : centre - k * scale;
  let upper = k === Infinity ? Infinity : centre + k * scale;
  let describe = `${center} ${format(centre)} ± ${format(k)}×${center === 'mean' ? 'std' : 'MAD scale'} ${format(scale)} of previous ${window}`;
  if (relativeChange !== undefined && centre !== 0) {
    const allowed = relativeChange * Math.abs(centre);
    lower = Math.max(lower, centre - allowed);
    upper = Math.min(upper, centre + allowed);
    describe += `; change limit ±${format(relativeChange * 100)}%`;
  }
  return judge(value, centre, Number.isFinite(lower) ? lower : null, Number.isFinite(upper) ? upper : null, describe);
}

/** Options for {@link holtWintersRule}. */
export interface HoltWintersRuleOptions extends HoltWintersParameters {
  /**
   * Band half-width in residual standard deviations.
   * @defaultValue 3
   */
  k?: number;
}

/**
 * Forecast band: fits additive Holt–Winters to every point but the last, forecasts the last one
 * and flags it outside forecast ± k × (sample std of the one-step residuals). Needs at least
 * max(2m, m + 2) points of history.
 */
export function holtWintersRule(series: readonly MetricPoint[], options: HoltWintersRuleOptions): AnomalyResult {
  const { k = 3, ...parameters } = options;
  const last = series[series.length - 1];
  if (last === undefined) return notJudged(Number.NaN, 'empty series');
  const value = last.value;
  if (!Number.isFinite(value)) return notJudged(value, 'value is not a finite number');
  const history = series.slice(0, -1).map((p) => p.value);
  const m = parameters.seasonLength;
  const needed = Math.max(2 * m, m + 2);
  if (history.length < needed) return notJudged(value, `not enough history: ${history.length} of ${needed} points`);
  if (!history.slice(0, 2 * m).every(Number.isFinite)) return notJudged(value, 'the first two seasons of history have gaps');
  const fit = fitHoltWinters(history, parameters);
  if (fit.residualStd === null) return notJudged(value, 'not enough finite history for a residual std');
  const width = k * fit.residualStd;
  return judge(value, fit.next, fit.next - width, fit.next + width, `Holt–Winters forecast ${format(fit.next)} ± ${format(k)}×residual std ${format(fit.residualStd)}`);
}

/** Options for {@link seasonalMedianRule}. */
export interface SeasonalMedianOptions {
  /** Season length m in points. */
  seasonLength: number;
  /**
   * How many previous seasons the median is taken over.
   * @defaultValue 3
   */
  seasons?: number;
  /**
   * Band half-width in robust scales (MAD × 1.4826 of the past residuals).
   * @defaultValue 3
   */
  k?: number;
}

/** Median of the finite values K·m, …, 2m, m points before index `t`. */
function seasonalMedianAt(values: readonly number[], t: number, m: number, seasons: number): number {
  const sameBeat: number[] = [];
  for (let s = 1; s <= seasons; s++) {
    const v = values[t - s * m];
    if (v !== undefined && Number.isFinite(v)) sameBeat.push(v);
  }
  return median(sameBeat);
}

/**
 * Seasonal median band: expected = median of the same phase in the previous `seasons` seasons;
 * band = expected ± k × robust scale of the residuals (value − its own seasonal median) over the
 * history. Needs seasons·m + 2 points of history.
 */
export function seasonalMedianRule(series: readonly MetricPoint[], options: SeasonalMedianOptions): AnomalyResult {
  const { seasonLength: m, seasons = 3, k = 3 } = options;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`seasonLength must be a positive integer, got ${m}`);
  const last = series[series.length - 1];
  if (last === undefined) return notJudged(Number.NaN, 'empty series');
  const value = last.value;
  if (!Number.isFinite(value)) return notJudged(value, 'value is not a finite number');
  const values = series.map((p) => p.value);
  const n = values.length - 1; // index of the judged point; values[0 … n−1] are history
  const needed = seasons * m + 2;
  if (n < needed) return notJudged(value, `not enough history: ${n} of ${needed} points`);
  const residuals: number[] = [];
  for (let t = seasons * m; t < n; t++) {
    const v = values[t]!;
    const expectedAtT = seasonalMedianAt(values, t, m, seasons);
    if (Number.isFinite(v) && Number.isFinite(expectedAtT)) residuals.push(v - expectedAtT);
  }
  const expected = seasonalMedianAt(values, n, m, seasons);
  if (!Number.isFinite(expected) || residuals.length < 2) return notJudged(value, 'not enough finite history');
  const scale = robustScale(residuals);
  return judge(value, expected, expected - k * scale, expected + k * scale, `median of previous ${seasons} seasons ${format(expected)} ± ${format(k)}×MAD scale ${format(scale)}`);
}
