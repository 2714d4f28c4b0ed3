import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquaredCdf, chiSquaredDrift, chiSquaredSf, chiSquaredTest } from './chi-squared.js';
import { assertClose, fixture } from './testing.js';

interface ChiFixture {
  sf: Array<{ x: number; df: number; p: number }>;
  published: Array<{ observed: number[]; expected: number[] | null; statistic: number; pValue: number; source: string }>;
  drift: Array<{ reference: Array<string | number>; current: Array<string | number>; statistic: number; df: number; pValue: number }>;
}
const data = fixture<ChiFixture>('chi-squared.json');

describe('chi-squared distribution', () => {
  it(`survival function matches 1 − @stdlib CDF at ${data.sf.length} points`, () => {
    for (const { x, df, p } of data.sf) {
      assertClose(chiSquaredSf(x, df), p, `sf(${x}; ${df})`, 1e-12);
      assertClose(chiSquaredCdf(x, df), 1 - p, `cdf(${x}; ${df})`, 1e-12);
    }
  });

  it('has the textbook critical values (3.841 for df 1, 5.991 for df 2 at 5 %)', () => {
    assertClose(chiSquaredSf(3.841458820694124, 1), 0.05, 'df 1', 1e-12);
    assertClose(chiSquaredSf(5.991464547107979, 2), 0.05, 'df 2', 1e-12);
    assertClose(chiSquaredSf(4, 2), Math.exp(-2), 'df 2 is exponential', 1e-15);
  });
});

describe('chiSquaredTest', () => {
  it('reproduces the scipy documentation examples', () => {
    for (const { observed, expected, statistic, pValue } of data.published) {
      const result = chiSquaredTest(observed, expected ?? undefined);
      assertClose(result.statistic, statistic, 'statistic', 1e-12);
      assertClose(result.pValue, pValue, 'p-value', 1e-12);
      assert.equal(result.df, observed.length - 1);
    }
  });

  it('gives Infinity and p = 0 for a category observed but not expected', () => {
    const result = chiSquaredTest([5, 5], [10, 0]);
    assert.equal(result.statistic, Infinity);
    assert.equal(result.pValue, 0);
  });

  it('has no p-value with a single category', () => {
    assert.ok(Number.isNaN(chiSquaredTest([7]).pValue));
  });
});

describe('chiSquaredDrift (Evidently: expected = reference share × current size)', () => {
  it('matches counts and p-values computed independently', () => {
    for (const [i, { reference, current, statistic, df, pValue }] of data.drift.entries()) {
      const result = chiSquaredDrift(reference, current);
      assertClose(result.statistic, statistic, `statistic ${i}`, 1e-9);
      assert.equal(result.df, df);
      assertClose(result.pValue, pValue, `p-value ${i}`, 1e-12);
    }
  });

  it('flags a category the reference never had', () => {
    const result = chiSquaredDrift(['a', 'b', 'c', 'a'], ['a', 'd']);
    assert.deepEqual(result.categories, ['a', 'b', 'c', 'd']);
    assert.deepEqual(result.expected, [1, 0.5, 0.5, 0]);
    assert.equal(result.pValue, 0);
  });
});
