/**
 * Writes the reference values the @inferq/monitoring unit tests compare against, into
 * packages/monitoring/src/fixtures/*.json. Run: node --import tsx scripts/generate-monitoring-fixtures.ts
 *
 * Independence: nothing here imports @inferq/monitoring. Every expected value comes from
 * - @stdlib (dev dependency): chi-squared CDF (also gives the regularized incomplete gamma,
 *   P(a, x) = F_χ²(2x; 2a)) and normal CDF;
 * - published worked examples (scipy documentation), copied literally with their source;
 * - or a separate, deliberately plain implementation below that takes a different route from
 *   the library: brute-force enumeration of every permutation (KS), exact BigInt lattice-path
 *   counting (KS), the other series of the Kolmogorov distribution, the quantile-function form of
 *   the Wasserstein distance, linear scans instead of binary searches for binning, two-pass
 *   moments, and the Holt–Winters recurrences written out over arrays.
 * The inputs are drawn from a seeded generator local to this script, so reruns are identical.
 * It also prints how far Kolmogorov's limit is from the finite-n distribution scipy ≥ 1.5 uses
 * (stdlib's Marsaglia–Tsang–Wang implementation), for the package README.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const chisquareCdf = require('@stdlib/stats-base-dists-chisquare-cdf') as (x: number, k: number) => number;
const stdlibNormalCdf = require('@stdlib/stats-base-dists-normal-cdf') as (x: number, mu: number, sigma: number) => number;
// kstest's own Kolmogorov finite-n CDF (Marsaglia, Tsang & Wang 2003): P(D_n < d).
const pKolmogorovFinite = require('@stdlib/stats-kstest/lib/marsaglia.js') as (d: number, n: number) => number;

const OUT = join(import.meta.dirname, '..', 'packages', 'monitoring', 'src', 'fixtures');

// ---------------------------------------------------------------- seeded inputs (mulberry32)
function rng(seed: number): { uniform: () => number; normal: (mean?: number, std?: number) => number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (mean = 0, std = 1): number => {
    const u1 = 1 - uniform();
    const u2 = uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  return { uniform, normal };
}
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function write(name: string, data: unknown): void {
  // Indented objects, but arrays of plain values on one line each, so the files stay readable.
  const text = JSON.stringify(data, null, 1).replace(/\[\s*([^[\]{}]*?)\s*\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);
  writeFileSync(join(OUT, name), `${text}\n`);
  console.log(`wrote ${name}`);
}

// ---------------------------------------------------------------- plain reference implementations
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]): number => sum(xs) / xs.length;
const sortAsc = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** ECDF at x by counting (no sorting tricks). */
const ecdf = (xs: readonly number[], x: number): number => xs.filter((v) => v <= x).length / xs.length;

/** KS statistic as max over all pooled points of |F1 − F2|, O(n²). */
function ksStatisticBrute(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) d = Math.max(d, Math.abs(ecdf(a, x) - ecdf(b, x)));
  return d;
}

/** Integer KS gap max|i·n2 − j·n1| for the split of ranks given by `inA` (true = sample a). */
function gapOfSplit(inA: readonly boolean[], n1: number, n2: number): number {
  let i = 0;
  let j = 0;
  let widest = 0;
  for (const isA of inA) {
    if (isA) i++;
    else j++;
    widest = Math.max(widest, Math.abs(i * n2 - j * n1));
  }
  return widest;
}

/** Exact p-value by enumerating all C(n1+n2, n1) assignments of the pooled ranks (no ties). */
function ksPermutationPValue(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  const pooled = [...a.map((v) => ({ v, isA: true })), ...b.map((v) => ({ v, isA: false }))].sort((x, y) => x.v - y.v);
  const observed = gapOfSplit(pooled.map((p) => p.isA), n1, n2);
  const N = n1 + n2;
  let atLeast = 0;
  let total = 0;
  const choose = (start: number, left: number, chosen: boolean[]): void => {
    if (left === 0) {
      total++;
      if (gapOfSplit(chosen, n1, n2) >= observed) atLeast++;
      return;
    }
    for (let k = start; k <= N - left; k++) {
      chosen[k] = true;
      choose(k + 1, left - 1, chosen);
      chosen[k] = false;
    }
  };
  choose(0, n1, new Array<boolean>(N).fill(false));
  return atLeast / total;
}

/** num/den for BigInts as a double with full relative precision. */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const shift = den.toString(2).length - num.toString(2).length + 64;
  const scaled = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift));
  return Number(scaled) * 2 ** -shift;
}

/** Exact P(gap ≥ observed) by counting lattice paths that stay strictly inside the band, in BigInt. */
function ksLatticePValue(n1: number, n2: number, observedGap: number): number {
  let row = new Array<bigint>(n2 + 1).fill(0n);
  for (let i = 0; i <= n1; i++) {
    const next = new Array<bigint>(n2 + 1).fill(0n);
    for (let j = 0; j <= n2; j++) {
      if (Math.abs(i * n2 - j * n1) >= observedGap) continue;
      if (i === 0 && j === 0) next[j] = 1n;
      else next[j] = (i > 0 ? row[j]! : 0n) + (j > 0 ? next[j - 1]! : 0n);
    }
    row = next;
  }
  let total = 1n;
  for (let k = 1; k <= n2; k++) total = (total * BigInt(n1 + k)) / BigInt(k);
  return ratio(total - row[n2]!, total);
}

/** Integer gap of two samples with ties handled as scipy: via right-continuous ECDFs on pooled values. */
function observedGap(a: readonly number[], b: readonly number[]): number {
  let widest = 0;
  for (const x of [...a, ...b]) {
    const i = a.filter((v) => v <= x).length;
    const j = b.filter((v) => v <= x).length;
    widest = Math.max(widest, Math.abs(i * b.length - j * a.length));
  }
  return widest;
}

/** Kolmogorov Q(λ) with both series to many terms; `prefer` picks the one the library does NOT use. */
function kolmogorovQ(lambda: number, prefer: 'alternating' | 'theta'): number {
  if (prefer === 'alternating') {
    let s = 0;
    for (let k = 1; k <= 2000; k++) s += (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    return 2 * s;
  }
  let s = 0;
  for (let k = 1; k <= 2000; k++) s += Math.exp(-((2 * k - 1) ** 2) * Math.PI * Math.PI / (8 * lambda * lambda));
  return 1 - (Math.sqrt(2 * Math.PI) / lambda) * s;
}

/** W1 as ∫₀¹ |F⁻¹(t) − G⁻¹(t)| dt with weighted quantile functions (the transport form). */
function wassersteinQuantileForm(u: readonly number[], v: readonly number[], uw?: readonly number[], vw?: readonly number[]): number {
  const steps = (xs: readonly number[], ws?: readonly number[]): Array<{ x: number; upTo: number }> => {
    const items = xs.map((x, i) => ({ x, w: ws ? ws[i]! : 1 })).sort((p, q) => p.x - q.x);
    const total = sum(items.map((p) => p.w));
    let acc = 0;
    return items.map((p) => ({ x: p.x, upTo: (acc += p.w) / total }));
  };
  const U = steps(u, uw);
  const V = steps(v, vw);
  const cuts = [...new Set([0, ...U.map((s) => s.upTo), ...V.map((s) => s.upTo)])].sort((p, q) => p - q).filter((t) => t <= 1);
  const quantile = (S: Array<{ x: number; upTo: number }>, t: number): number => S.find((s) => s.upTo >= t - 1e-15)!.x;
  let area = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const lo = cuts[k]!;
    const hi = cuts[k + 1]!;
    const mid = (lo + hi) / 2;
    area += Math.abs(quantile(U, mid) - quantile(V, mid)) * (hi - lo);
  }
  return area;
}

const populationStd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / xs.length);
};

/** numpy-style Sturges edges, written from numpy's documentation. */
function sturges(values: readonly number[]): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = (hi - lo) / (Math.log2(values.length) + 1);
  const k = Math.ceil((hi - lo) / width);
  const edges: number[] = [];
  for (let i = 0; i < k; i++) edges.push(lo + i * ((hi - lo) / k));
  edges.push(hi);
  return edges;
}

/** Counts per [e_i, e_i+1), last closed, by a linear scan over bins. */
function countBins(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    for (let i = 0; i < counts.length; i++) {
      const last = i === counts.length - 1;
      if (v >= edges[i]! && (v < edges[i + 1]! || (last && v <= edges[i + 1]!))) {
        counts[i]!++;
        break;
      }
    }
  }
  return counts;
}

/** Type-7 quantile. */
function quantile7(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Evidently's zero fill. */
function fill(shares: readonly number[]): number[] {
  const nonzero = shares.filter((s) => s !== 0);
  const smallest = Math.min(...nonzero);
  const value = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? value : s));
}

type Cat = number | string;
function categoryShares(ref: readonly Cat[], cur: readonly Cat[]): { r: number[]; c: number[]; keys: Cat[] } {
  const keys = [...new Set([...ref, ...cur])];
  return {
    keys,
    r: keys.map((k) => ref.filter((v) => v === k).length / ref.length),
    c: keys.map((k) => cur.filter((v) => v === k).length / cur.length),
  };
}

function jsDistance(p: readonly number[], q: readonly number[]): number {
  const P = p.map((x) => x / sum(p));
  const Q = q.map((x) => x / sum(q));
  let d = 0;
  for (let i = 0; i < P.length; i++) {
    const m = (P[i]! + Q[i]!) / 2;
    if (P[i]! > 0) d += P[i]! * Math.log(P[i]! / m);
    if (Q[i]! > 0) d += Q[i]! * Math.log(Q[i]! / m);
  }
  return Math.sqrt(d / 2);
}

const psiOf = (r: readonly number[], c: readonly number[]): number => sum(r.map((ri, i) => (ri - c[i]!) * Math.log(ri / c[i]!)));

// ---------------------------------------------------------------- fixtures
mkdirSync(OUT, { recursive: true });

{
  // Regularized incomplete gamma via the chi-squared CDF: P(a, x) = F(2x; k = 2a).
  const cases: Array<{ a: number; x: number; p: number; q: number }> = [];
  for (const a of [0.5, 1, 1.5, 2, 3.5, 5, 10, 25, 50, 100, 250]) {
    for (const f of [0.001, 0.1, 0.5, 0.9, 1, 1.1, 1.5, 2, 3, 5]) {
      const x = round(a * f, 6);
      const p = chisquareCdf(2 * x, 2 * a);
      cases.push({ a, x, p, q: 1 - p });
    }
  }
  write('gamma.json', { source: '@stdlib/stats-base-dists-chisquare-cdf: P(a, x) = F(2x; 2a), Q = 1 − P', cases });
}

{
  const cases: Array<{ x: number; cdf: number }> = [];
  for (let x = -8; x <= 8.0001; x += 0.25) cases.push({ x: round(x, 2), cdf: stdlibNormalCdf(round(x, 2), 0, 1) });
  for (const x of [1.959963984540054, 2.5758293035489, 0.1, -0.3, 1e-8]) cases.push({ x, cdf: stdlibNormalCdf(x, 0, 1) });
  write('normal.json', { source: '@stdlib/stats-base-dists-normal-cdf (μ = 0, σ = 1)', cases });
}

{
  const sf: Array<{ x: number; df: number; p: number }> = [];
  for (const df of [1, 2, 3, 4, 5, 9, 10, 20, 50, 100]) {
    for (const f of [0.05, 0.5, 1, 1.5, 2, 3, 4]) {
      const x = round(df * f, 4);
      sf.push({ x, df, p: 1 - chisquareCdf(x, df) });
    }
  }
  const published = [
    { observed: [16, 18, 16, 14, 12, 12], expected: null, statistic: 2.0, pValue: 0.84914503608460956, source: 'scipy.stats.chisquare docstring example' },
    { observed: [16, 18, 16, 14, 12, 12], expected: [16, 16, 16, 16, 16, 8], statistic: 3.5, pValue: 0.62338762774958223, source: 'scipy.stats.chisquare docstring example' },
  ];
  const r = rng(11);
  const drift: Array<{ reference: Cat[]; current: Cat[]; statistic: number; df: number; pValue: number }> = [];
  const draw = (labels: Cat[], weights: number[], n: number): Cat[] =>
    Array.from({ length: n }, () => {
      let u = r.uniform() * sum(weights);
      for (let i = 0; i < labels.length; i++) if ((u -= weights[i]!) < 0) return labels[i]!;
      return labels[labels.length - 1]!;
    });
  const scenarios: Array<[Cat[], number[], number[], number, number]> = [
    [['setosa', 'versicolor', 'virginica'], [1, 1, 1], [1, 1, 1], 120, 50],
    [['setosa', 'versicolor', 'virginica'], [1, 1, 1], [1, 2, 3], 120, 50],
    [[0, 1, 2, 3, 4], [5, 4, 3, 2, 1], [5, 4, 3, 2, 1], 300, 80],
    [[0, 1, 2, 3, 4], [5, 4, 3, 2, 1], [1, 2, 3, 4, 5], 300, 80],
    [['a', 'b', 'c', 'd'], [10, 5, 3, 1], [10, 5, 3, 1], 1000, 400],
  ];
  for (const [labels, wRef, wCur, nRef, nCur] of scenarios) {
    const reference = draw(labels, wRef, nRef);
    const current = draw(labels, wCur, nCur);
    const keys = [...new Set([...reference, ...current])];
    const k = current.length / reference.length;
    let statistic = 0;
    for (const key of keys) {
      const o = current.filter((v) => v === key).length;
      const e = reference.filter((v) => v === key).length * k;
      statistic += (o - e) ** 2 / e;
    }
    drift.push({ reference, current, statistic, df: keys.length - 1, pValue: 1 - chisquareCdf(statistic, keys.length - 1) });
  }
  write('chi-squared.json', { source: 'survival values: 1 − @stdlib chisquare CDF; published: scipy docs; drift: counts computed here + @stdlib CDF', sf, published, drift });
}

{
  const Phi = (x: number): number => stdlibNormalCdf(x, 0, 1);
  const proportions: Array<{ x1: number; n1: number; x2: number; n2: number; statistic: number; pValue: number }> = [];
  for (const [x1, n1, x2, n2] of [[40, 120, 20, 50], [60, 120, 10, 50], [500, 1000, 560, 1000], [3, 30, 9, 25], [7, 100, 7, 100], [90, 100, 40, 100]] as const) {
    const p1 = x1 / n1;
    const p2 = x2 / n2;
    const P = (x1 + x2) / (n1 + n2);
    const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
    proportions.push({ x1, n1, x2, n2, statistic: z, pValue: 2 * (1 - Phi(Math.abs(z))) });
  }
  const r = rng(21);
  const drift: Array<{ reference: Cat[]; current: Cat[]; statistic: number; pValue: number }> = [];
  for (const [labels, pRef, pCur, nRef, nCur] of [[['no', 'yes'], 0.3, 0.3, 200, 60], [['no', 'yes'], 0.3, 0.6, 200, 60], [[0, 1], 0.5, 0.45, 900, 300]] as const) {
    const reference: Cat[] = Array.from({ length: nRef }, () => (r.uniform() < pRef ? labels[1] : labels[0]));
    const current: Cat[] = Array.from({ length: nCur }, () => (r.uniform() < pCur ? labels[1] : labels[0]));
    // Evidently: 0 for the smallest key (sorted), 1 otherwise.
    const smallest = [...new Set([...reference, ...current])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
    const ones = (xs: Cat[]): number => xs.filter((v) => v !== smallest).length;
    const p1 = ones(reference) / reference.length;
    const p2 = ones(current) / current.length;
    const P = (ones(reference) + ones(current)) / (reference.length + current.length);
    const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / reference.length + 1 / current.length));
    drift.push({ reference, current, statistic: z, pValue: 2 * (1 - Phi(Math.abs(z))) });
  }
  write('z-test.json', { source: 'z by the pooled formula here; p = 2(1 − Φ(|z|)) with @stdlib normal CDF', proportions, drift });
}

{
  const r = rng(31);
  const sample = (n: number, shift: number, digits = 6): number[] => Array.from({ length: n }, () => round(r.normal(shift, 1), digits));
  const permutation: Array<{ a: number[]; b: number[]; statistic: number; pValue: number }> = [];
  for (const [n1, n2, shift] of [[3, 4, 0], [5, 5, 1], [6, 8, 0.5], [7, 10, 1.5], [8, 8, 0], [9, 12, 1], [4, 15, 2]] as const) {
    const a = sample(n1, 0);
    const b = sample(n2, shift);
    permutation.push({ a, b, statistic: ksStatisticBrute(a, b), pValue: ksPermutationPValue(a, b) });
  }
  const lattice: Array<{ a: number[]; b: number[]; statistic: number; pValue: number; ties: boolean }> = [];
  for (const [n1, n2, shift, digits] of [[20, 30, 0.4, 6], [50, 120, 0.3, 6], [120, 50, 0.8, 6], [50, 50, 0.5, 6], [100, 100, 0.2, 6], [120, 37, 1.2, 6], [1000, 50, 0.25, 6], [120, 50, 0.3, 1], [64, 48, 3, 6]] as const) {
    const a = sample(n1, 0, digits);
    const b = sample(n2, shift, digits);
    const gap = observedGap(a, b);
    lattice.push({ a, b, statistic: ksStatisticBrute(a, b), pValue: ksLatticePValue(n1, n2, gap), ties: new Set([...a, ...b]).size < n1 + n2 });
  }
  const kolmogorov: Array<{ lambda: number; q: number }> = [];
  for (const lambda of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1, 1.0001, 1.2, 1.358, 1.5, 1.63, 2, 2.5, 3, 4]) {
    // The library uses theta below 1 and the alternating series from 1: check each with the other.
    kolmogorov.push({ lambda, q: kolmogorovQ(lambda, lambda < 1 ? 'alternating' : 'theta') });
  }
  const asymptotic: Array<{ a: number[]; b: number[]; statistic: number; pValue: number }> = [];
  for (const [n1, n2, shift] of [[60, 80, 0.3], [200, 150, 0.1], [90, 30, 0.8]] as const) {
    const a = sample(n1, 0);
    const b = sample(n2, shift);
    const d = ksStatisticBrute(a, b);
    const lambda = Math.sqrt((n1 * n2) / (n1 + n2)) * d;
    asymptotic.push({ a, b, statistic: d, pValue: kolmogorovQ(lambda, lambda < 1 ? 'alternating' : 'theta') });
  }
  write('ks.json', {
    source: 'statistic: O(n²) ECDF comparison; exact p: enumeration of all rank splits (permutation) or BigInt lattice-path counts (lattice); Kolmogorov Q: the series the library does not use, 2000 terms',
    permutation,
    lattice,
    kolmogorov,
    asymptotic,
  });

  // For the README: Kolmogorov's limit vs the finite-n distribution kstwo(n) that scipy ≥ 1.5 uses in 'asymp'.
  console.log('limit vs kstwo (stdlib Marsaglia–Tsang–Wang), p-values near 0.05 and 0.01:');
  for (const n of [50, 200, 1000, 5000]) {
    for (const target of [0.05, 0.01]) {
      let lo = 0.5;
      let hi = 2.5;
      for (let it = 0; it < 60; it++) {
        const mid = (lo + hi) / 2;
        if (kolmogorovQ(mid, 'theta') > target) lo = mid;
        else hi = mid;
      }
      const lambda = (lo + hi) / 2;
      const finite = 1 - pKolmogorovFinite(lambda / Math.sqrt(n), n);
      console.log(`  n=${n}: limit p=${target.toFixed(3)} at λ=${lambda.toFixed(4)}; kstwo p=${finite.toFixed(5)}`);
    }
  }
}

{
  const published = [
    { u: [0, 1, 3], v: [5, 6, 8], uWeights: null, vWeights: null, distance: 5.0 },
    { u: [0, 1], v: [0, 1], uWeights: [3, 1], vWeights: [2, 2], distance: 0.25 },
    { u: [3.4, 3.9, 7.5, 7.8], v: [4.5, 1.4], uWeights: [1.4, 0.9, 3.1, 7.2], vWeights: [3.2, 3.5], distance: 4.0781331438047861 },
  ];
  const r = rng(41);
  const cases: Array<{ u: number[]; v: number[]; uWeights: number[] | null; vWeights: number[] | null; distance: number }> = [];
  for (const [n1, n2, shift, weighted, digits] of [[10, 7, 0.5, false, 3], [120, 50, 1.5, false, 2], [30, 30, 0, false, 6], [15, 9, -1, true, 4], [200, 80, 0.2, false, 1]] as const) {
    const u = Array.from({ length: n1 }, () => round(r.normal(0, 1), digits));
    const v = Array.from({ length: n2 }, () => round(r.normal(shift, 2), digits));
    const uWeights = weighted ? u.map(() => round(0.1 + r.uniform(), 3)) : null;
    const vWeights = weighted ? v.map(() => round(0.1 + r.uniform(), 3)) : null;
    cases.push({ u, v, uWeights, vWeights, distance: wassersteinQuantileForm(u, v, uWeights ?? undefined, vWeights ?? undefined) });
  }
  const normalized = cases.filter((c) => c.uWeights === null).map((c) => ({ reference: c.u, current: c.v, std: populationStd(c.u), normalized: c.distance / Math.max(populationStd(c.u), 0.001) }));
  write('wasserstein.json', { source: 'published: scipy.stats.wasserstein_distance docstring; cases: ∫|F⁻¹ − G⁻¹| (quantile form) computed here', published, cases, normalized });
}

{
  const published = [
    { p: [1.0, 0.0, 0.0], q: [0.0, 1.0, 0.0], base: 2, distance: 1.0 },
    { p: [1.0, 0.0], q: [0.5, 0.5], base: null, distance: 0.46450140402245893 },
    { p: [1.0, 0.0, 0.0], q: [1.0, 0.0, 0.0], base: null, distance: 0.0 },
    // scipy docstring, a = [[1,2,3,4],[5,6,7,8],[9,10,11,12]], b = a + 12, axis=0 and axis=1 (7 decimals)
    { p: [1, 5, 9], q: [13, 17, 21], base: null, distance: 0.1954288 },
    { p: [2, 6, 10], q: [14, 18, 22], base: null, distance: 0.1447697 },
    { p: [3, 7, 11], q: [15, 19, 23], base: null, distance: 0.1138377 },
    { p: [4, 8, 12], q: [16, 20, 24], base: null, distance: 0.0927636 },
    { p: [1, 2, 3, 4], q: [13, 14, 15, 16], base: null, distance: 0.1402339 },
    { p: [5, 6, 7, 8], q: [17, 18, 19, 20], base: null, distance: 0.0399106 },
    { p: [9, 10, 11, 12], q: [21, 22, 23, 24], base: null, distance: 0.0201815 },
  ];
  const r = rng(51);
  const numeric: Array<{ reference: number[]; current: number[]; edges: number[]; distance: number }> = [];
  for (const [nRef, nCur, shift] of [[120, 50, 0], [120, 50, 1], [1500, 300, 0.3], [64, 64, 0.5]] as const) {
    const reference = Array.from({ length: nRef }, () => round(r.normal(3.76, 1.76), 4));
    const current = Array.from({ length: nCur }, () => round(r.normal(3.76 + shift, 1.76), 4));
    const edges = sturges([...reference, ...current]);
    const rc = countBins(reference, edges).map((c) => c / nRef);
    const cc = countBins(current, edges).map((c) => c / nCur);
    numeric.push({ reference, current, edges, distance: jsDistance(rc, cc) });
  }
  const categorical: Array<{ reference: Cat[]; current: Cat[]; distance: number }> = [];
  const labels = ['a', 'b', 'c', 'd'];
  for (const skew of [0, 0.5]) {
    const reference: Cat[] = Array.from({ length: 200 }, () => labels[Math.floor(r.uniform() * 4)]!);
    const current: Cat[] = Array.from({ length: 60 }, () => (r.uniform() < skew ? 'a' : labels[Math.floor(r.uniform() * 3) + 1]!));
    const { r: rs, c: cs } = categoryShares(reference, current);
    categorical.push({ reference, current, distance: jsDistance(rs, cs) });
  }
  write('jensen-shannon.json', { source: 'published: scipy.spatial.distance.jensenshannon docstring; binned: numpy-style Sturges edges + linear-scan counts + JS computed here (natural log)', published, numeric, categorical });
}

{
  const r = rng(61);
  const quantile: Array<{ reference: number[]; current: number[]; bins: number; psi: number }> = [];
  for (const [nRef, nCur, shift, bins] of [[120, 50, 0, 10], [120, 50, 1.5, 10], [1000, 200, 0.2, 10], [300, 100, 0.5, 5], [120, 50, 4, 10]] as const) {
    const reference = Array.from({ length: nRef }, () => round(r.normal(3.76, 1.76), 3));
    const current = Array.from({ length: nCur }, () => round(r.normal(3.76 + shift, 1.76), 3));
    const sorted = sortAsc(reference);
    const inner: number[] = [];
    for (let i = 1; i < bins; i++) {
      const q = quantile7(sorted, i / bins);
      if (!inner.includes(q)) inner.push(q);
    }
    const edges = [-Infinity, ...inner, Infinity];
    const rs = fill(countBins(reference, edges).map((c) => c / nRef));
    const cs = fill(countBins(current, edges).map((c) => c / nCur));
    quantile.push({ reference, current, bins, psi: psiOf(rs, cs) });
  }
  const sturgesCases: Array<{ reference: number[]; current: number[]; psi: number }> = [];
  for (const [nRef, nCur, shift] of [[120, 50, 0.7], [500, 100, 0]] as const) {
    const reference = Array.from({ length: nRef }, () => round(r.normal(0, 1), 3));
    const current = Array.from({ length: nCur }, () => round(r.normal(shift, 1), 3));
    const edges = sturges([...reference, ...current]);
    sturgesCases.push({ reference, current, psi: psiOf(fill(countBins(reference, edges).map((c) => c / nRef)), fill(countBins(current, edges).map((c) => c / nCur))) });
  }
  const categorical: Array<{ reference: Cat[]; current: Cat[]; psi: number }> = [];
  for (const extra of [false, true]) {
    const reference: Cat[] = Array.from({ length: 150 }, () => [0, 1, 2][Math.floor(r.uniform() * 3)]!);
    const current: Cat[] = Array.from({ length: 40 }, () => (extra && r.uniform() < 0.2 ? 3 : [0, 1, 2][Math.floor(r.uniform() * 3)]!));
    const { r: rs, c: cs } = categoryShares(reference, current);
    categorical.push({ reference, current, psi: psiOf(fill(rs), fill(cs)) });
  }
  write('psi.json', { source: 'type-7 quantile edges (open ends) or numpy-style Sturges edges, linear-scan counts, Evidently zero fill (0.0001 or min/1e6), Σ(r−c)ln(r/c), computed here', quantile, sturges: sturgesCases, categorical });
}

{
  const r = rng(71);
  const values: Array<number | null> = Array.from({ length: 57 }, (_, i) => (i % 11 === 3 ? null : round(r.normal(10, 3), 3)));
  values.push(Number.NaN as unknown as number, 1e9, -1e9);
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const m = mean(finite);
  const expected = {
    count: finite.length,
    missing: values.filter((v) => v === null).length,
    nan: values.filter((v) => typeof v === 'number' && Number.isNaN(v)).length,
    mean: m,
    std: Math.sqrt(sum(finite.map((x) => (x - m) ** 2)) / (finite.length - 1)),
    min: Math.min(...finite),
    max: Math.max(...finite),
  };
  // NaN does not survive JSON; store its positions instead.
  write('summary.json', { source: 'two-pass mean and sample std (n − 1), computed here', values: values.map((v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)), expected });
}

{
  // A noisy seasonal series with trend; the recurrences written out over whole arrays.
  const r = rng(81);
  const m = 4;
  const pattern = [3, -1, 2, -4];
  const series = Array.from({ length: 28 }, (_, t) => round(20 + 0.5 * t + pattern[t % m]! + r.normal(0, 0.5), 3));
  const cases = [];
  for (const [alpha, beta, gamma] of [[0.5, 0.5, 0.5], [0.3, 0.1, 0.1], [0.8, 0.2, 0.6]] as const) {
    const n = series.length;
    const L = new Array<number>(n).fill(Number.NaN);
    const B = new Array<number>(n).fill(Number.NaN);
    const S = new Array<number>(n).fill(Number.NaN);
    const F = new Array<number | null>(n).fill(null);
    const firstSeasonMean = mean(series.slice(0, m));
    L[m - 1] = firstSeasonMean;
    B[m - 1] = (mean(series.slice(m, 2 * m)) - firstSeasonMean) / m;
    for (let i = 0; i < m; i++) S[i] = series[i]! - firstSeasonMean;
    for (let t = m; t < n; t++) {
      F[t] = L[t - 1]! + B[t - 1]! + S[t - m]!;
      L[t] = alpha * (series[t]! - S[t - m]!) + (1 - alpha) * (L[t - 1]! + B[t - 1]!);
      B[t] = beta * (L[t]! - L[t - 1]!) + (1 - beta) * B[t - 1]!;
      S[t] = gamma * (series[t]! - L[t]!) + (1 - gamma) * S[t - m]!;
    }
    const residuals = series.slice(m).map((y, k) => y - F[k + m]!);
    const rm = mean(residuals);
    cases.push({
      alpha,
      beta,
      gamma,
      forecasts: F,
      residualStd: Math.sqrt(sum(residuals.map((e) => (e - rm) ** 2)) / (residuals.length - 1)),
      next: L[n - 1]! + B[n - 1]! + S[n - m]!,
    });
  }
  write('holt-winters.json', { source: 'additive Holt–Winters recurrences over arrays, simple two-season start, computed here', seasonLength: m, series, cases });
}
