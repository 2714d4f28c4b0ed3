/**
 * Jensen–Shannon distance, scipy's convention (`scipy.spatial.distance.jensenshannon`): the
 * square root of the JS divergence, (KL(p‖m) + KL(q‖m)) / 2 with m = (p + q) / 2, natural
 * logarithm unless a base is given (base 2 bounds it by 1, natural log by √ln 2 ≈ 0.8326).
 *
 * For samples, {@link jensenShannonDrift} bins both as Evidently's `jensenshannon` stattest does:
 * Sturges equal-width bins over reference and current together for a numeric feature with more
 * than 20 distinct reference values, one bin per value otherwise; empty bins stay empty (0·ln 0
 * counts as 0), and the log is natural (Evidently's current `base=None`).
 * Hand-written on purpose: drift verdicts must match Evidently's exact binning and scaling, which
 * no maintained JS statistics library reproduces (they bin or normalise differently).
 */
import { binShares, type BinningStrategy } from './binning.js';
import type { Category, FeatureType } from './feature-values.js';

/** x·ln(x/y) with scipy `rel_entr`'s conventions: 0 when x = 0, Infinity when y = 0 < x. */
function relativeEntropy(x: number, y: number): number {
  if (x === 0) return 0;
  if (y === 0) return Infinity;
  return x * Math.log(x / y);
}

/**
 * Jensen–Shannon distance between two probability vectors (normalised to sum 1 first, as scipy
 * does).
 * @param base - logarithm base (default e)
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base?: number): number {
  if (p.length !== q.length) throw new RangeError(`probability vectors differ in length: ${p.length} vs ${q.length}`);
  const sumP = p.reduce((a, b) => a + b, 0);
  const sumQ = q.reduce((a, b) => a + b, 0);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sumP;
    const qi = q[i]! / sumQ;
    const mi = (pi + qi) / 2;
    divergence += relativeEntropy(pi, mi) + relativeEntropy(qi, mi);
  }
  if (base !== undefined) divergence /= Math.log(base);
  // Rounding can leave a divergence of -1e-17 for identical inputs; sqrt would give NaN.
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** Options for {@link jensenShannonDrift}. */
export interface JensenShannonOptions {
  /**
   * How a numeric feature with more than 20 distinct reference values is cut.
   * @defaultValue `'sturges'` (Evidently)
   */
  strategy?: BinningStrategy;
  /**
   * Number of bins for the `quantile` strategy.
   * @defaultValue 10
   */
  bins?: number;
  /**
   * The feature's type; categorical features are binned per value.
   * @defaultValue `'numeric'` when every value is a number, else `'categorical'`
   */
  type?: FeatureType;
  /**
   * Logarithm base.
   * @defaultValue e (natural log)
   */
  base?: number;
}

/**
 * Jensen–Shannon distance between a reference and a current sample (both cleaned of missing
 * values; neither empty), over shared bins.
 */
export function jensenShannonDrift(reference: readonly Category[], current: readonly Category[], options: JensenShannonOptions = {}): number {
  if (reference.length === 0 || current.length === 0) throw new RangeError('Jensen–Shannon needs a non-empty reference and current sample');
  const shares = binShares(reference, current, { strategy: options.strategy ?? 'sturges', bins: options.bins ?? 10, ...(options.type ? { type: options.type } : {}) });
  return jensenShannonDistance(shares.reference, shares.current, options.base);
}
