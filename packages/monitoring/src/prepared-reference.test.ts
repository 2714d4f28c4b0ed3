import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquaredDrift } from './chi-squared.js';
import { detectFeatureDrift, detectProfileDrift, detectProfileDriftOfColumns, selectDriftMethod, type FeatureColumn, type FeatureDrift } from './drift-detector.js';
import { finiteNumbers, inferFeatureType, presentValues, type Category, type FeatureValue } from './feature-values.js';
import { ksExactPValue, ksExactPValueCached } from './ks-distribution.js';
import { ksTwoSample } from './ks-test.js';
import { prepareFeature, preparedReference } from './prepared-reference.js';
import { populationStabilityIndex } from './psi.js';
import { createRandom, type Random } from './random.js';
import { buildReferenceProfile } from './reference-profile.js';
import { zTestDrift } from './z-test.js';

/**
 * detectFeatureDrift as it was before reference preparation (default options): every step from
 * the raw columns. The prepared path must give exactly this, field for field.
 */
function uncachedDrift(reference: FeatureColumn, current: readonly FeatureValue[]): Omit<FeatureDrift, 'psi' | 'direction' | 'threshold' | 'drifted'> & { psi: number } {
  const type = reference.type ?? inferFeatureType(reference.values, current);
  const ref: Category[] = type === 'numeric' ? finiteNumbers(reference.values) : presentValues(reference.values);
  const cur: Category[] = type === 'numeric' ? finiteNumbers(current) : presentValues(current);
  const method = selectDriftMethod(type, ref.length, new Set<Category>([...ref, ...cur]).size);
  let statistic = 0;
  let pValue: number | undefined;
  if (method === 'ks') ({ statistic, pValue } = ksTwoSample(ref as number[], cur as number[]));
  else if (method === 'chi-squared') ({ statistic, pValue } = chiSquaredDrift(ref, cur));
  else if (method === 'z-test') ({ statistic, pValue } = zTestDrift(ref, cur));
  else assert.fail(`the generator makes small references only, got ${method}`);
  return {
    feature: reference.name, type, method, statistic, pValue, score: pValue,
    psi: populationStabilityIndex(ref, cur, { type }), referenceSize: ref.length, currentSize: cur.length,
  };
}

/** A column of one of the shapes the drift methods branch on, with missing values sprinkled in. */
function column(random: Random, kind: number, length: number, shift: number): FeatureValue[] {
  return Array.from({ length }, () => {
    if (random.next() < 0.05) return random.next() < 0.5 ? null : Number.NaN;
    switch (kind) {
      case 0: return Number((random.normal(shift, 1)).toFixed(random.int(3)));  // numeric, ties at low precision
      case 1: return random.int(4) + (shift > 0 ? 1 : 0);                          // few integers: categorical
      case 2: return random.next() < 0.3 + shift / 4 ? 'b' : 'a';                  // binary strings: z-test
      case 3: return random.int(15) + shift;                                       // integers 6..20 distinct: PSI per value
      default: return ['x', 'y', 'z', 'w'][random.int(shift > 0 ? 4 : 3)]!;        // categories, a new one when shifted
    }
  });
}

describe('prepared references', () => {
  it('give exactly the verdicts of the uncached computation (random references and windows)', () => {
    const random = createRandom(20261202);
    const methods = new Set<string>();
    for (let trial = 0; trial < 400; trial++) {
      const kind = trial % 5;
      const reference = column(random, kind, 20 + random.int(200), 0);
      const current = column(random, kind, 5 + random.int(80), random.next() < 0.5 ? 0 : 1);
      if (finiteNumbers(reference).length === 0 && presentValues(reference).length === 0) continue;
      const raw: FeatureColumn = { name: `f${trial}`, values: reference };
      let expected;
      try {
        expected = uncachedDrift(raw, current);
      } catch {
        assert.throws(() => detectFeatureDrift(raw, current), `trial ${trial}: both paths reject`);
        continue;
      }
      methods.add(expected.method);
      const type = inferFeatureType(reference, current);
      const prepared = prepareFeature(raw.name, reference, type);
      for (const [label, ref] of [['raw', raw], ['prepared', prepared], ['prepared again', prepared]] as const) {
        const { direction: _direction, threshold: _threshold, drifted: _drifted, psi, ...got } = detectFeatureDrift(ref, current);
        assert.deepEqual({ ...got, psi: psi.value, pValue: got.pValue }, expected, `trial ${trial} (${label})`);
      }
    }
    assert.deepEqual([...methods].sort(), ['chi-squared', 'ks', 'z-test'], 'every small-reference method was compared');
  });

  it('give the same profile drift, whether the window comes as rows or columns, first call or cached', () => {
    const random = createRandom(7);
    const names = ['a', 'b', 'c'];
    const referenceRows = Array.from({ length: 150 }, () => ({ a: random.normal(0, 1), b: random.int(3), c: random.next() < 0.1 ? null : random.normal(5, 2) }));
    const profile = buildReferenceProfile(referenceRows, names);
    const copy = structuredClone(profile);
    for (let window = 0; window < 30; window++) {
      const rows = Array.from({ length: 50 }, () => ({ a: random.normal(window % 3 === 0 ? 1 : 0, 1), b: random.int(window % 4 === 0 ? 4 : 3), c: random.normal(5, 2) }));
      const columns = new Map(names.map((name) => [name, rows.map((row) => row[name as 'a' | 'b' | 'c'])]));
      const cached = detectProfileDriftOfColumns(profile, columns);
      assert.deepEqual(detectProfileDrift(profile, rows), cached);
      assert.deepEqual(detectProfileDrift(structuredClone(copy), rows), cached, 'a fresh profile object (nothing cached) agrees');
    }
    assert.equal(preparedReference(profile.features.a!), preparedReference(profile.features.a!), 'prepared once per feature object');
  });

  it('remember exact KS p-values without changing them', () => {
    const random = createRandom(3);
    for (let i = 0; i < 300; i++) {
      const n1 = 1 + random.int(150);
      const n2 = 1 + random.int(60);
      const h = random.int(n1 * n2);
      assert.equal(ksExactPValueCached(n1, n2, h), ksExactPValue(n1, n2, h), `n1 ${n1} n2 ${n2} h ${h}`);
      assert.equal(ksExactPValueCached(n1, n2, h), ksExactPValue(n1, n2, h), `n1 ${n1} n2 ${n2} h ${h}, cached`);
    }
  });
});
