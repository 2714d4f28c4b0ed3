import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { chiSquaredDrift } from './chi-squared.js';
import { detectDatasetDrift, detectFeatureDrift, detectProfileDrift, selectDriftMethod, type FeatureDrift } from './drift-detector.js';
import { jensenShannonDrift } from './jensen-shannon.js';
import { ksTwoSample } from './ks-test.js';
import { populationStabilityIndex } from './psi.js';
import { createRandom, normalSample } from './random.js';
import { parseReferenceCsv } from './reference-csv.js';
import { buildReferenceProfile } from './reference-profile.js';
import { normalizedWassersteinDistance } from './wasserstein.js';
import { zTestDrift } from './z-test.js';

const random = createRandom(2024);
const normals = (n: number, mean = 0, std = 1): number[] => normalSample(random, n, mean, std);
const pick = <T>(values: readonly T[], n: number): T[] => Array.from({ length: n }, () => values[random.int(values.length)]!);

describe('selectDriftMethod (Evidently _get_default_stattest)', () => {
  it('uses tests for references up to 1000 rows', () => {
    assert.equal(selectDriftMethod('numeric', 1000, 6), 'ks');
    assert.equal(selectDriftMethod('numeric', 1000, 5), 'chi-squared');
    assert.equal(selectDriftMethod('numeric', 120, 2), 'z-test');
    assert.equal(selectDriftMethod('categorical', 120, 40), 'chi-squared');
    assert.equal(selectDriftMethod('categorical', 120, 3), 'chi-squared');
    assert.equal(selectDriftMethod('categorical', 120, 2), 'z-test');
  });

  it('uses distances above 1000 rows', () => {
    assert.equal(selectDriftMethod('numeric', 1001, 6), 'wasserstein');
    assert.equal(selectDriftMethod('numeric', 1001, 5), 'jensen-shannon');
    assert.equal(selectDriftMethod('categorical', 5000, 2), 'jensen-shannon');
  });
});

describe('detectFeatureDrift', () => {
  it('numeric, small reference: KS p-value, drift when p ≤ 0.05, PSI alongside', () => {
    const reference = normals(120, 3.76, 1.76);
    const current = normals(50, 3.76 + 1.5, 1.76);
    const result = detectFeatureDrift({ name: 'petal_length', values: reference }, current);
    const ks = ksTwoSample(reference, current);
    assert.equal(result.method, 'ks');
    assert.equal(result.type, 'numeric');
    assert.equal(result.statistic, ks.statistic);
    assert.equal(result.pValue, ks.pValue);
    assert.equal(result.score, ks.pValue);
    assert.equal(result.direction, 'below');
    assert.equal(result.threshold, 0.05);
    assert.equal(result.drifted, true);
    assert.equal(result.psi.value, populationStabilityIndex(reference, current));
    assert.equal(result.psi.drifted, result.psi.value >= 0.1);
    assert.equal(result.psi.significant, result.psi.value >= 0.2);
    assert.deepEqual([result.referenceSize, result.currentSize], [120, 50]);
  });

  it("uses Evidently's comparisons: KS p ≤ threshold, chi-squared/z p < threshold, distances ≥ threshold", () => {
    const reference = normals(100);
    const current = normals(40, 0.3);
    const ks = detectFeatureDrift({ name: 'x', values: reference }, current);
    assert.equal(detectFeatureDrift({ name: 'x', values: reference }, current, { threshold: ks.pValue! }).drifted, true);
    const cats = pick(['a', 'b', 'c'], 100);
    const catsNow = pick(['a', 'b', 'c'], 40);
    const chi = detectFeatureDrift({ name: 'c', values: cats }, catsNow);
    assert.equal(chi.method, 'chi-squared');
    assert.equal(detectFeatureDrift({ name: 'c', values: cats }, catsNow, { threshold: chi.pValue! }).drifted, false);
    const large = normals(1500);
    const w = detectFeatureDrift({ name: 'x', values: large }, current);
    assert.equal(w.method, 'wasserstein');
    assert.equal(detectFeatureDrift({ name: 'x', values: large }, current, { threshold: w.statistic }).drifted, true);
  });

  it('categorical with three values: chi-squared against reference proportions', () => {
    const reference = pick(['setosa', 'versicolor', 'virginica'], 120);
    const current = pick(['setosa', 'versicolor', 'virginica'], 50);
    const result = detectFeatureDrift({ name: 'species', values: reference }, current);
    assert.equal(result.type, 'categorical');
    assert.equal(result.method, 'chi-squared');
    assert.equal(result.pValue, chiSquaredDrift(reference, current).pValue);
  });

  it('binary: z-test; an integer label with ≤ 5 values is categorical', () => {
    const binary = detectFeatureDrift({ name: 'flag', values: pick([0, 1], 200) }, pick([0, 1], 50));
    assert.equal(binary.method, 'z-test');
    assert.equal(binary.type, 'categorical');
    const label = detectFeatureDrift({ name: 'label', values: pick([0, 1, 2], 120) }, pick([0, 1, 2], 50));
    assert.equal(label.method, 'chi-squared');
    const reference = pick([true, false], 30);
    const current = pick([true, false], 30);
    assert.equal(detectFeatureDrift({ name: 'b', values: reference }, current).pValue, zTestDrift(reference, current).pValue);
  });

  it('large reference: normed Wasserstein for numeric, Jensen–Shannon otherwise, drift when ≥ 0.1', () => {
    const reference = normals(1500, 10, 2);
    const current = normals(300, 10.5, 2);
    const numeric = detectFeatureDrift({ name: 'x', values: reference }, current);
    assert.equal(numeric.method, 'wasserstein');
    assert.equal(numeric.direction, 'above');
    assert.equal(numeric.pValue, undefined);
    assert.equal(numeric.statistic, normalizedWassersteinDistance(reference, current));
    assert.equal(numeric.threshold, 0.1);
    assert.equal(numeric.drifted, numeric.statistic >= 0.1);
    const cats = pick(['a', 'b', 'c', 'd'], 1500);
    const catsNow = pick(['a', 'b'], 300);
    const categorical = detectFeatureDrift({ name: 'c', values: cats }, catsNow);
    assert.equal(categorical.method, 'jensen-shannon');
    assert.equal(categorical.statistic, jensenShannonDrift(cats, catsNow));
    assert.equal(categorical.drifted, true);
    const fewValues = detectFeatureDrift({ name: 'r', values: pick([0.5, 1.5, 2.5], 1500) }, pick([0.5, 1.5], 100));
    assert.equal(fewValues.type, 'numeric');
    assert.equal(fewValues.method, 'jensen-shannon');
  });

  it('drops missing values first and refuses an empty side', () => {
    const result = detectFeatureDrift({ name: 'x', values: [1, 2, null, 3, 4, 5, 6, Number.NaN] }, [2, Infinity, 3, undefined, 4]);
    assert.deepEqual([result.referenceSize, result.currentSize], [6, 3]);
    assert.throws(() => detectFeatureDrift({ name: 'x', values: [1, 2] }, [null, Number.NaN]), /feature "x": no usable current values/);
  });

  it('accepts an explicit method and threshold', () => {
    const result = detectFeatureDrift({ name: 'x', values: normals(100) }, normals(40), { method: 'wasserstein', threshold: 0.5 });
    assert.equal(result.method, 'wasserstein');
    assert.equal(result.threshold, 0.5);
  });
});

describe('detectDatasetDrift', () => {
  const verdict = (feature: string, drifted: boolean): FeatureDrift =>
    ({ feature, drifted }) as FeatureDrift;

  it('drifts when at least half of the features drift', () => {
    assert.equal(detectDatasetDrift([verdict('a', true), verdict('b', true), verdict('c', false), verdict('d', false)]).drifted, true);
    const one = detectDatasetDrift([verdict('a', true), verdict('b', false), verdict('c', false), verdict('d', false)]);
    assert.deepEqual(one, { drifted: false, share: 0.25, threshold: 0.5, featureCount: 4, driftedFeatures: ['a'] });
    assert.equal(detectDatasetDrift([verdict('a', true), verdict('b', false)], 0.75).drifted, false);
    assert.equal(detectDatasetDrift([]).drifted, false);
  });
});

describe('detectProfileDrift on the iris reference', () => {
  const { rows } = parseReferenceCsv(readFileSync(new URL('../../../models/iris/1/reference.csv', import.meta.url), 'utf8'));
  const profile = buildReferenceProfile(rows, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);

  it('finds no drift comparing the reference with itself', () => {
    const result = detectProfileDrift(profile, rows);
    assert.equal(result.features.length, 4);
    for (const f of result.features) {
      assert.equal(f.method, 'ks');
      assert.equal(f.statistic, 0);
      assert.equal(f.pValue, 1);
      assert.equal(f.drifted, false);
      assert.ok(f.psi.value < 1e-9);
    }
    assert.equal(result.dataset.drifted, false);
  });

  it('flags petal length shifted by +1.5 and skips a feature missing from the window', () => {
    const window = rows.slice(0, 50).map((row) => ({ ...row, petal_length: (row.petal_length as number) + 1.5, petal_width: null }));
    const result = detectProfileDrift(profile, window);
    assert.deepEqual(result.skipped, ['petal_width']);
    const petal = result.features.find((f) => f.feature === 'petal_length')!;
    assert.equal(petal.drifted, true);
    assert.ok(petal.psi.significant);
    assert.equal(result.dataset.featureCount, 3);
  });
});
