/**
 * Null distributions of the two-sided Kolmogorov–Smirnov statistic:
 * - the exact two-sample tail P(D_{n1,n2} ≥ h / lcm(n1, n2)) for continuous data (no ties),
 *   counting monotone lattice paths as scipy's `ks_2samp(method='exact')` does: the closed form
 *   of Gnedenko–Korolyuk for n1 = n2, otherwise Hodges' "inside" recursion in Viehmann's
 *   numerically stable form that carries 1 − p directly;
 * - Kolmogorov's limiting distribution Q(λ) = P(√n·D > λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²).
 * Hand-written: no maintained JS library has the exact two-sample distribution scipy uses
 * (`@stdlib/stats-kstest` is one-sample); the fixtures check it against brute-force counts.
 */

/**
 * P(D_{n,n} ≥ h/n) for two samples of equal size n: 2·Σ_k (−1)^(k−1) C(2n, n−kh) / C(2n, n),
 * evaluated Horner-style on term ratios to avoid the cancellation of the alternating sum.
 */
function equalSizeTail(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D ≥ h / lcm) for sizes m ≠ n with g = gcd(m, n): the share of the C(m+n, n) lattice paths
 * from (0, 0) to (m, n) that leave the band |x·n/g − y·m/g| < h. One column of the path-count
 * table is kept, as a sliding window of the rows that lie inside the band.
 */
function unequalSizeTail(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let length = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = length;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = (column[jj + minJ - lastMinJ]! * i + value * j) / (i + j);
      column[jj] = value;
    }
    length = maxJ - minJ;
    if (lastLength > length) column.fill(1, length, length + (lastLength - length));
  }
  return column[maxJ - minJ - 1]!;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact two-sided p-value P(D_{n1,n2} ≥ h / lcm(n1, n2)) under the null of one continuous
 * distribution, h the observed statistic in units of 1/lcm. NaN when the computation fails
 * numerically (callers fall back to the limiting distribution, as scipy does).
 */
export function ksExactPValue(n1: number, n2: number, h: number): number {
  if (h <= 0) return 1;
  const p = n1 === n2 ? equalSizeTail(n1, h) : unequalSizeTail(n1, n2, gcd(n1, n2), h);
  return Number.isFinite(p) && p >= 0 && p <= 1 ? p : Number.NaN;
}

/**
 * Kolmogorov's limiting survival function Q(λ) = P(K > λ), K = sup|Brownian bridge|. Uses the
 * alternating series 2 Σ (−1)^(k−1) e^(−2k²λ²) for λ ≥ 1 and, below 1 where that series
 * converges slowly, Jacobi's dual form 1 − (√(2π)/λ) Σ e^(−(2k−1)²π²/(8λ²)).
 */
export function kolmogorovSf(lambda: number): number {
  if (Number.isNaN(lambda)) return Number.NaN;
  if (lambda <= 0) return 1;
  if (lambda < 1) {
    const factor = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(factor * (2 * k - 1) ** 2);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term <= Math.abs(sum) * 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Most p-values {@link ksExactPValueCached} keeps (about 100 bytes each); it starts over when full. */
const EXACT_CACHE_LIMIT = 10_000;
/** (n1, n2) → (h → p-value). */
const exactCache = new Map<number, Map<number, number>>();
let exactCached = 0;

/**
 * {@link ksExactPValue}, remembered. A monitor compares windows of the same size with the same
 * reference, so (n1, n2) repeats and h takes at most lcm(n1, n2) values: the lattice-path count
 * (O(n1·n2) per call, the hot spot of an iris window report) is done once per distinct triple.
 */
export function ksExactPValueCached(n1: number, n2: number, h: number): number {
  if (!Number.isSafeInteger(n1 * 2 ** 21 + n2) || n2 >= 2 ** 21) return ksExactPValue(n1, n2, h);
  const sizes = n1 * 2 ** 21 + n2;
  let byH = exactCache.get(sizes);
  if (!byH) exactCache.set(sizes, (byH = new Map()));
  let p = byH.get(h);
  if (p === undefined) {
    if (exactCached >= EXACT_CACHE_LIMIT) {
      exactCache.clear();
      exactCache.set(sizes, byH = new Map());
      exactCached = 0;
    }
    p = ksExactPValue(n1, n2, h);
    byH.set(h, p);
    exactCached++;
  }
  return p;
}
