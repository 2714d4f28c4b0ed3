/**
 * Sanity experiment for the drift defaults on iris-sized data: how often does a 50-row window
 * drawn from the reference distribution raise drift (false alarms), and how often is a +1.5 shift
 * of one feature caught? Iris-like features: independent normals with the means / stds of the
 * real Iris measurements. Reference: 120 rows (so Evidently's small-reference branch: KS,
 * p ≤ 0.05). Dataset drift: ≥ 50 % of the 4 features.
 *
 * Windows in the shifted runs reuse the unshifted runs' random draws (same seed), so the
 * unshifted features' figures repeat. Results are in ../README.md.
 *
 * Run: node --import tsx packages/monitoring/bench/drift-false-alarms.ts [--windows 1000] [--seed 20240611]
 */
import { parseArgs } from 'node:util';
import { buildReferenceProfile, createRandom, detectProfileDrift, type ProfileDrift, type Random } from '../src/index.js';

const FEATURES = [
  { name: 'sepal_length', mean: 5.84, std: 0.83 },
  { name: 'sepal_width', mean: 3.06, std: 0.44 },
  { name: 'petal_length', mean: 3.76, std: 1.76 },
  { name: 'petal_width', mean: 1.2, std: 0.76 },
] as const;
const SHIFTED = 'petal_length';
const SHIFT = 1.5;

// `[-- --windows N] [-- --seed S]`; the older positional form `N S` still works.
const { values: args, positionals } = parseArgs({ options: { windows: { type: 'string' }, seed: { type: 'string' } }, allowPositionals: true });
const windows = Number(args.windows ?? positionals[0] ?? 1000);
const seed = Number(args.seed ?? positionals[1] ?? 20240611);
if (!Number.isInteger(windows) || windows < 1 || !Number.isInteger(seed)) throw new Error('--windows must be a positive integer and --seed an integer');

type Row = Record<string, number>;
function rows(random: Random, n: number, decimals: number | null, shift = 0): Row[] {
  return Array.from({ length: n }, () => {
    const row: Row = {};
    for (const f of FEATURES) {
      const value = random.normal(f.mean + (f.name === SHIFTED ? shift : 0), f.std);
      row[f.name] = decimals === null ? value : Number(value.toFixed(decimals));
    }
    return row;
  });
}

interface Tally { windows: number; drifted: Record<string, number>; psi01: Record<string, number>; psi02: Record<string, number>; dataset: number; ms: number }
function tally(): Tally {
  const zero = (): Record<string, number> => Object.fromEntries(FEATURES.map((f) => [f.name, 0]));
  return { windows: 0, drifted: zero(), psi01: zero(), psi02: zero(), dataset: 0, ms: 0 };
}
function count(t: Tally, result: ProfileDrift, ms: number): void {
  t.windows++;
  t.ms += ms;
  for (const f of result.features) {
    if (f.drifted) t.drifted[f.feature]!++;
    if (f.psi.drifted) t.psi01[f.feature]!++;
    if (f.psi.significant) t.psi02[f.feature]!++;
  }
  if (result.dataset.drifted) t.dataset++;
}

function run(label: string, decimals: number | null, freshReference: boolean, shift: number): void {
  const random = createRandom(seed);
  const names = FEATURES.map((f) => f.name);
  let profile = buildReferenceProfile(rows(random, 120, decimals), names);
  const t = tally();
  for (let w = 0; w < windows; w++) {
    if (freshReference) profile = buildReferenceProfile(rows(random, 120, decimals), names);
    const window = rows(random, 50, decimals, shift);
    const started = performance.now();
    const result = detectProfileDrift(profile, window);
    count(t, result, performance.now() - started);
  }
  const pct = (k: number): string => `${((100 * k) / t.windows).toFixed(1)}%`;
  console.log(`\n${label}`);
  console.log(`  feature        KS drift   PSI≥0.1   PSI≥0.2`);
  for (const f of FEATURES) console.log(`  ${f.name.padEnd(13)}  ${pct(t.drifted[f.name]!).padStart(7)}  ${pct(t.psi01[f.name]!).padStart(8)}  ${pct(t.psi02[f.name]!).padStart(8)}`);
  const anyFeature = FEATURES.reduce((s, f) => s + t.drifted[f.name]!, 0) / FEATURES.length;
  console.log(`  mean per-feature KS drift rate ${pct(anyFeature)}; dataset drift (≥ 2 of 4) ${pct(t.dataset)}; ${(t.ms / t.windows).toFixed(2)} ms per window (4 features)`);
}

console.log(`${windows} windows of 50 rows vs a 120-row reference, seed ${seed}; binomial s.e. at 5 %: ${(100 * Math.sqrt(0.05 * 0.95 / windows)).toFixed(1)} points`);
run('A. no shift, one fixed reference, continuous values', null, false, 0);
run('B. no shift, a fresh reference per window (unconditional rate), continuous values', null, true, 0);
run('C. no shift, one fixed reference, values rounded to 0.1 cm like Iris (ties)', 1, false, 0);
run(`D. ${SHIFTED} shifted by +${SHIFT}, one fixed reference, continuous values`, null, false, SHIFT);
run(`E. ${SHIFTED} shifted by +${SHIFT}, a fresh reference per window, continuous values`, null, true, SHIFT);
run(`F. ${SHIFTED} shifted by +${SHIFT}, one fixed reference, values rounded to 0.1 cm`, 1, false, SHIFT);
