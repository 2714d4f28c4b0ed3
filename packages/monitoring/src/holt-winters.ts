/**
 * Additive Holt–Winters (triple exponential smoothing) with one-step-ahead forecasts.
 *
 * Recurrences, season length m, for t ≥ m (ŷ_t is the forecast of y_t made at t − 1):
 *   ŷ_t = ℓ_{t−1} + b_{t−1} + s_{t−m}
 *   ℓ_t = α (y_t − s_{t−m}) + (1 − α)(ℓ_{t−1} + b_{t−1})
 *   b_t = β (ℓ_t − ℓ_{t−1}) + (1 − β) b_{t−1}
 *   s_t = γ (y_t − ℓ_t) + (1 − γ) s_{t−m}
 * Initial state from the first two seasons (the textbook "simple" start):
 *   ℓ_{m−1} = mean(y_0 … y_{m−1}),  b_{m−1} = (mean(y_m … y_{2m−1}) − ℓ_{m−1}) / m,
 *   s_i = y_i − ℓ_{m−1} for i < m.
 * A non-finite y_t (a gap) is replaced by its forecast, so the seasonal phase is kept and the
 * state carries on unchanged by it; no residual is recorded for it.
 */

/** Smoothing parameters. */
export interface HoltWintersParameters {
  /** Season length m in points (e.g. 24 for hourly points with a daily cycle); ≥ 1. */
  seasonLength: number;
  /**
   * Level smoothing α in [0, 1].
   * @defaultValue 0.3
   */
  alpha?: number;
  /**
   * Trend smoothing β in [0, 1].
   * @defaultValue 0.1
   */
  beta?: number;
  /**
   * Seasonal smoothing γ in [0, 1].
   * @defaultValue 0.1
   */
  gamma?: number;
}

/** A fitted model. */
export interface HoltWintersFit {
  /** One-step-ahead forecast for each input index; null for the first season (no forecast yet). */
  forecasts: Array<number | null>;
  /** y_t − ŷ_t for every finite y_t with t ≥ m, in order. */
  residuals: number[];
  /** Sample standard deviation (n − 1) of the residuals; null with fewer than two. */
  residualStd: number | null;
  /** Level ℓ after the last point. */
  level: number;
  /** Trend b after the last point. */
  trend: number;
  /** The last m seasonal components, oldest first (s_{n−m} … s_{n−1}). */
  seasonals: number[];
  /** Forecast for the point after the last one. */
  next: number;
}

/** Sample standard deviation (divisor n − 1); null below two values. */
export function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Fits additive Holt–Winters to `values` (at least two seasons; the first two seasons finite)
 * and returns the one-step-ahead forecasts, residuals and final state.
 */
export function fitHoltWinters(values: readonly number[], parameters: HoltWintersParameters): HoltWintersFit {
  const { seasonLength: m, alpha = 0.3, beta = 0.1, gamma = 0.1 } = parameters;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`seasonLength must be a positive integer, got ${m}`);
  for (const [name, value] of [['alpha', alpha], ['beta', beta], ['gamma', gamma]] as const) {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must lie in [0, 1], got ${value}`);
  }
  if (values.length < 2 * m) throw new RangeError(`Holt–Winters needs two seasons (${2 * m} points), got ${values.length}`);
  const firstTwoSeasons = values.slice(0, 2 * m);
  if (!firstTwoSeasons.every(Number.isFinite)) throw new RangeError('the first two seasons must hold finite values');

  const mean = (from: number, to: number): number => values.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
  let level = mean(0, m);
  let trend = (mean(m, 2 * m) - level) / m;
  const seasonal: number[] = values.slice(0, m).map((value) => value - level);
  const forecasts: Array<number | null> = new Array<number | null>(m).fill(null);
  const residuals: number[] = [];

  for (let t = m; t < values.length; t++) {
    const previousSeason = seasonal[t - m]!;
    const forecast = level + trend + previousSeason;
    forecasts.push(forecast);
    let y = values[t]!;
    if (Number.isFinite(y)) residuals.push(y - forecast);
    else y = forecast;
    const previousLevel = level;
    level = alpha * (y - previousSeason) + (1 - alpha) * (level + trend);
    trend = beta * (level - previousLevel) + (1 - beta) * trend;
    seasonal.push(gamma * (y - level) + (1 - gamma) * previousSeason);
  }

  const n = values.length;
  return {
    forecasts,
    residuals,
    residualStd: sampleStd(residuals),
    level,
    trend,
    seasonals: seasonal.slice(n - m),
    next: level + trend + seasonal[n - m]!,
  };
}
