import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addValue, emptySummary, mergeSummaries, summarize, summaryStats, type NumericInput } from './summary.js';
import { assertClose, fixture } from './testing.js';

interface SummaryFixture {
  values: Array<number | null | 'NaN'>;
  expected: { count: number; missing: number; nan: number; mean: number; std: number; min: number; max: number };
}
const data = fixture<SummaryFixture>('summary.json');
const values: NumericInput[] = data.values.map((v) => (v === 'NaN' ? Number.NaN : v));

describe('feature summaries', () => {
  it('match a two-pass computation (count, missing, NaN, mean, sample std, min, max)', () => {
    const stats = summaryStats(summarize(values));
    const { expected } = data;
    assert.equal(stats.count, expected.count);
    assert.equal(stats.missing, expected.missing);
    assert.equal(stats.nan, expected.nan);
    assert.equal(stats.infinite, 0);
    assertClose(stats.mean!, expected.mean, 'mean'); // ±1e9 values in the data: rounding is ~1e-9 here
    assertClose(stats.std!, expected.std, 'std', 1e-6);
    assert.equal(stats.min, expected.min);
    assert.equal(stats.max, expected.max);
  });

  it('give the textbook example: 2,4,4,4,5,5,7,9 has mean 5, population std 2', () => {
    const stats = summaryStats(summarize([2, 4, 4, 4, 5, 5, 7, 9]));
    assert.equal(stats.mean, 5);
    assertClose(Math.sqrt(stats.populationVariance!), 2, 'population std', 1e-15);
    assertClose(stats.std!, Math.sqrt(32 / 7), 'sample std', 1e-15);
  });

  it('are the same built one value at a time (addValue) as in one pass', () => {
    const stepwise = values.reduce(addValue, emptySummary());
    const once = summarize(values);
    assert.equal(stepwise.count, once.count);
    assertClose(stepwise.mean, once.mean, 'mean', 1e-12);
    assertClose(stepwise.m2, once.m2, 'm2', 1e-9);
    assert.deepEqual([stepwise.min, stepwise.max, stepwise.missing, stepwise.nan], [once.min, once.max, once.missing, once.nan]);
  });

  it('merge: any split of the data, merged, equals the summary of the whole', () => {
    const whole = summaryStats(summarize(values));
    for (const cuts of [[1], [10, 30], [0, 5, 17, 40, 59], [values.length - 1]]) {
      const bounds = [0, ...cuts, values.length];
      const parts = bounds.slice(1).map((end, i) => summarize(values.slice(bounds[i], end)));
      const merged = summaryStats(parts.reduce(mergeSummaries, emptySummary()));
      assert.equal(merged.count, whole.count);
      assert.equal(merged.missing, whole.missing);
      assert.equal(merged.nan, whole.nan);
      assertClose(merged.mean!, whole.mean!, `mean, cuts ${cuts}`);
      assertClose(merged.std!, whole.std!, `std, cuts ${cuts}`, 0, 1e-12);
      assert.equal(merged.min, whole.min);
      assert.equal(merged.max, whole.max);
    }
  });

  it('keep infinities out of the moments and count them', () => {
    const stats = summaryStats(summarize([1, Infinity, 3, -Infinity, undefined]));
    assert.deepEqual(stats, { count: 2, missing: 1, nan: 0, infinite: 2, mean: 2, std: Math.SQRT2, populationVariance: 1, min: 1, max: 3 });
  });

  it('report nulls for statistics that need more values', () => {
    assert.deepEqual(summaryStats(emptySummary()), { count: 0, missing: 0, nan: 0, infinite: 0, mean: null, std: null, populationVariance: null, min: null, max: null });
    assert.equal(summaryStats(summarize([4])).std, null);
    assert.deepEqual(mergeSummaries(emptySummary(), summarize([4])), summarize([4]));
  });

  it('stay accurate far from zero (Welford, not the sum of squares)', () => {
    const shifted = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    assertClose(summaryStats(summarize(shifted)).std!, Math.sqrt(30), 'std of a large-offset sample', 1e-9);
  });
});
