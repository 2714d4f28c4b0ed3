/**
 * First Wasserstein (earth mover's) distance between two 1-D empirical distributions, exactly as
 * `scipy.stats.wasserstein_distance`: W₁ = ∫ |U(x) − V(x)| dx, the area between the two
 * (optionally weighted) empirical CDFs, computed over the merged sorted values.
 *
 * Evidently's drift score divides it by the reference's population standard deviation
 * (`np.std`, divisor n), floored at 0.001: a shift of one reference std scores 1; drift ≥ 0.1.
 * Hand-written on purpose: drift verdicts must match Evidently's exact binning and scaling, which
 * no maintained JS statistics library reproduces (they bin or normalise differently).
 */

/** Sort indices of `values` ascending. */
function sortedOrder(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
}

/** Cumulative weights per sorted position, normalised to end at 1 (equal weights when none). */
function cumulativeShares(order: readonly number[], weights: readonly number[] | undefined): number[] {
  const out = new Array<number>(order.length + 1);
  out[0] = 0;
  if (weights === undefined) {
    for (let i = 0; i < order.length; i++) out[i + 1] = (i + 1) / order.length;
    return out;
  }
  let total = 0;
  for (let i = 0; i < order.length; i++) {
    total += weights[order[i]!]!;
    out[i + 1] = total;
  }
  if (!(total > 0) || !Number.isFinite(total)) throw new RangeError('weights must sum to a positive finite number');
  return out.map((w) => w / total);
}

/**
 * W₁ between the empirical distributions of `u` and `v`, each value weighted by the matching
 * entry of `uWeights` / `vWeights` (equal weights when omitted). Both samples must be non-empty
 * and free of NaN.
 */
export function wassersteinDistance(
  u: readonly number[],
  v: readonly number[],
  uWeights?: readonly number[],
  vWeights?: readonly number[],
): number {
  if (u.length === 0 || v.length === 0) throw new RangeError('Wasserstein distance needs two non-empty samples');
  if (u.some(Number.isNaN) || v.some(Number.isNaN)) throw new RangeError('Wasserstein distance needs samples without NaN');
  if (uWeights && uWeights.length !== u.length) throw new RangeError('u_weights must match u_values in length');
  if (vWeights && vWeights.length !== v.length) throw new RangeError('v_weights must match v_values in length');
  const uOrder = sortedOrder(u);
  const vOrder = sortedOrder(v);
  const uCdf = cumulativeShares(uOrder, uWeights);
  const vCdf = cumulativeShares(vOrder, vWeights);
  // Walk the merged sorted values; between consecutive values x_k < x_k+1 both CDFs are flat, so
  // the area is |U − V| · (x_k+1 − x_k), with U, V counting every value ≤ x_k.
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(u[uOrder[0]!]!, v[vOrder[0]!]!);
  while (i < u.length || j < v.length) {
    const nextU = i < u.length ? u[uOrder[i]!]! : Infinity;
    const nextV = j < v.length ? v[vOrder[j]!]! : Infinity;
    const x = Math.min(nextU, nextV);
    distance += Math.abs(uCdf[i]! - vCdf[j]!) * (x - previous);
    while (i < u.length && u[uOrder[i]!]! === x) i++;
    while (j < v.length && v[vOrder[j]!]! === x) j++;
    previous = x;
  }
  return distance;
}

/** Evidently's floor on the normalising standard deviation. */
export const MIN_NORMALIZING_STD = 0.001;

/** Population standard deviation (divisor n), as numpy's `np.std`. */
export function populationStd(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let mean = 0;
  for (const value of values) mean += value;
  mean /= n;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  return Math.sqrt(squares / n);
}

/**
 * Evidently's normed Wasserstein distance: W₁(reference, current) / max(std(reference), 0.001)
 * with the population std. Both samples must be non-empty.
 */
export function normalizedWassersteinDistance(reference: readonly number[], current: readonly number[]): number {
  return wassersteinDistance(reference, current) / Math.max(populationStd(reference), MIN_NORMALIZING_STD);
}
