/**
 * Shared binning of a reference and a current sample into matching shares, for the histogram
 * distances (Jensen–Shannon, PSI) and for charts. Mirrors Evidently's `get_binned_data`:
 * - a numeric feature with more than {@link MAX_UNIQUE_FOR_PER_VALUE_BINS} distinct reference
 *   values is cut into intervals: `sturges` = numpy's equal-width Sturges bins over reference and
 *   current together (Evidently's choice), or `quantile` = bins between reference quantiles, open
 *   at both ends (the classic PSI deciles);
 * - anything else gets one bin per distinct value (union of both samples).
 * Intervals follow numpy.histogram: [e_i, e_i+1), the last one closed.
 */
import { compareCategories, countCategories, type Category, type FeatureType } from './feature-values.js';

/** How numeric values are cut into intervals. */
export type BinningStrategy = 'sturges' | 'quantile';

/** Evidently bins a numeric feature per value when its reference has at most this many distinct values. */
export const MAX_UNIQUE_FOR_PER_VALUE_BINS = 20;

/** Evidently's share for an empty bin: 0.0001 (or the smallest non-zero share / 10⁶ when that is ≤ 0.0001). */
export const EMPTY_BIN_SHARE = 0.0001;

/**
 * The `p` quantile of ascending `sorted` values by linear interpolation between order statistics
 * (numpy's default `linear` method, Hyndman & Fan type 7). NaN for an empty array.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const lower = sorted[Math.max(0, Math.min(n - 1, below))]!;
  const upper = sorted[Math.max(0, Math.min(n - 1, below + 1))]!;
  const t = position - below;
  const diff = upper - lower;
  // numpy's _lerp: interpolate from the nearer end, so t = 1 gives `upper` exactly.
  return t < 0.5 ? lower + diff * t : upper - diff * (1 - t);
}

/**
 * numpy's `histogram_bin_edges(values, bins='sturges')`: ⌈range / width⌉ equal bins with
 * width = range / (log₂ n + 1), spanning [min, max] (or [v − 0.5, v + 0.5] when all values equal).
 */
export function sturgesEdges(values: readonly number[]): number[] {
  if (values.length === 0) return [0, 1];
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(values.length) + 1);
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1;
  // numpy.linspace: start + i·step, with the last edge set to `stop` exactly.
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  return edges;
}

/**
 * Edges between the reference's quantiles at 1/bins, 2/bins, …, (bins−1)/bins, with −Infinity
 * and +Infinity at the ends so every current value lands in a bin. Repeated quantiles (heavy
 * ties) are merged, so fewer than `bins` bins may come back.
 */
export function quantileEdges(reference: readonly number[], bins: number): number[] {
  const sorted = [...reference].sort((a, b) => a - b);
  const edges = [-Infinity];
  for (let i = 1; i < bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (edge > edges[edges.length - 1]!) edges.push(edge);
  }
  edges.push(Infinity);
  return edges;
}

/** Index of the first element of ascending `sorted` that is > `value` (numpy searchsorted side='right'). */
export function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts of `values` per interval of ascending `edges`, as numpy.histogram: [e_i, e_i+1) with the
 * last interval closed; values outside [e_0, e_last] are not counted.
 */
export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(0, bins)).fill(0);
  if (bins < 1) return counts;
  const last = edges[bins]!;
  for (const value of values) {
    if (value < edges[0]! || value > last || Number.isNaN(value)) continue;
    const bin = value === last ? bins - 1 : upperBound(edges, value) - 1;
    counts[bin]!++;
  }
  return counts;
}

/**
 * Evidently's fill for empty bins (`feel_zeroes`), which keeps ln(r/c) finite: every 0 becomes
 * {@link EMPTY_BIN_SHARE}, or the smallest non-zero share / 10⁶ when that share is itself
 * ≤ 0.0001. Shares are not renormalised afterwards (Evidently does not).
 */
export function fillEmptyShares(shares: readonly number[]): number[] {
  let smallest = Infinity;
  for (const share of shares) if (share !== 0 && share < smallest) smallest = share;
  if (smallest === Infinity) return [...shares];
  const fill = smallest <= EMPTY_BIN_SHARE ? smallest / 1e6 : EMPTY_BIN_SHARE;
  return shares.map((share) => (share === 0 ? fill : share));
}

/** Options for {@link binShares}. */
export interface BinningOptions {
  /**
   * How a many-valued numeric feature is cut.
   * @defaultValue `'sturges'` (Evidently's Jensen–Shannon and PSI binning)
   */
  strategy?: BinningStrategy;
  /**
   * Number of quantile bins (the `quantile` strategy only).
   * @defaultValue 10
   */
  bins?: number;
  /**
   * The feature's type; categorical features are always binned per value.
   * @defaultValue `'numeric'` when every value is a number, else `'categorical'`
   */
  type?: FeatureType;
}

/** A reference and a current sample as shares of matching bins. */
export interface BinnedShares {
  /** Reference share per bin (count / reference size). */
  reference: number[];
  /** Current share per bin (count / current size). */
  current: number[];
  /** Interval edges (bins.length + 1 of them) when binned by intervals, else null. */
  edges: number[] | null;
  /** The value of each bin when binned per value (sorted), else null. */
  categories: Category[] | null;
}

/**
 * Bins `reference` and `current` (already cleaned of missing values) into shared bins and returns
 * each sample's share per bin, as Evidently's `get_binned_data` without the zero fill.
 */
export function binShares(reference: readonly Category[], current: readonly Category[], options: BinningOptions = {}): BinnedShares {
  const numeric = options.type === undefined
    ? reference.every((v) => typeof v === 'number') && current.every((v) => typeof v === 'number')
    : options.type === 'numeric';
  if (numeric && new Set(reference).size > MAX_UNIQUE_FOR_PER_VALUE_BINS) {
    const ref = reference as readonly number[];
    const cur = current as readonly number[];
    const edges = (options.strategy ?? 'sturges') === 'sturges' ? sturgesEdges([...ref, ...cur]) : quantileEdges(ref, options.bins ?? 10);
    return {
      reference: histogramCounts(ref, edges).map((count) => count / ref.length),
      current: histogramCounts(cur, edges).map((count) => count / cur.length),
      edges,
      categories: null,
    };
  }
  const referenceCounts = countCategories(reference);
  const currentCounts = countCategories(current);
  const categories = [...new Set([...referenceCounts.keys(), ...currentCounts.keys()])].sort(compareCategories);
  return {
    reference: categories.map((key) => (referenceCounts.get(key) ?? 0) / reference.length),
    current: categories.map((key) => (currentCounts.get(key) ?? 0) / current.length),
    edges: null,
    categories,
  };
}
