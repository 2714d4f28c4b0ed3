import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, fixture } from './testing.js';
import { normalizedWassersteinDistance, populationStd, wassersteinDistance } from './wasserstein.js';

interface WassersteinFixture {
  published: Array<{ u: number[]; v: number[]; uWeights: number[] | null; vWeights: number[] | null; distance: number }>;
  cases: Array<{ u: number[]; v: number[]; uWeights: number[] | null; vWeights: number[] | null; distance: number }>;
  normalized: Array<{ reference: number[]; current: number[]; std: number; normalized: number }>;
}
const data = fixture<WassersteinFixture>('wasserstein.json');

describe('wassersteinDistance', () => {
  it('reproduces the scipy documentation examples (with and without weights)', () => {
    for (const { u, v, uWeights, vWeights, distance } of data.published) {
      assertClose(wassersteinDistance(u, v, uWeights ?? undefined, vWeights ?? undefined), distance, `W1(${u}; ${v})`, 1e-12);
    }
  });

  it('matches the quantile-function form ∫|F⁻¹ − G⁻¹| on random samples (ties included)', () => {
    for (const [i, { u, v, uWeights, vWeights, distance }] of data.cases.entries()) {
      assertClose(wassersteinDistance(u, v, uWeights ?? undefined, vWeights ?? undefined), distance, `case ${i}`);
    }
  });

  it('rejects empty samples and NaN', () => {
    assert.throws(() => wassersteinDistance([], [1]), RangeError);
    assert.throws(() => wassersteinDistance([1], [Number.NaN]), /without NaN/);
  });

  it('is the shift between a sample and its translate, and symmetric', () => {
    const u = [0.3, 1.2, 2.5, 4];
    assertClose(wassersteinDistance(u, u.map((x) => x + 1.5)), 1.5, 'translation', 1e-12);
    assert.equal(wassersteinDistance([1, 5, 2], [7, 0]), wassersteinDistance([7, 0], [1, 5, 2]));
  });
});

describe('normalizedWassersteinDistance (Evidently)', () => {
  it('divides by the reference population std', () => {
    for (const [i, { reference, current, std, normalized }] of data.normalized.entries()) {
      assertClose(populationStd(reference), std, `std ${i}`, 1e-12);
      assertClose(normalizedWassersteinDistance(reference, current), normalized, `case ${i}`);
    }
  });

  it('floors the std at 0.001 for a constant reference', () => {
    assertClose(normalizedWassersteinDistance([2, 2, 2], [2.001]), 1, 'W = 0.001 over 0.001', 1e-9);
  });
});
