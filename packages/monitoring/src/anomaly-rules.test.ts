import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holtWintersRule, median, robustScale, seasonalMedianRule, thresholdRule, windowRule, type MetricPoint } from './anomaly-rules.js';
import { createRandom } from './random.js';
import { assertClose } from './testing.js';

const series = (values: readonly number[]): MetricPoint[] => values.map((value, t) => ({ t: t * 60_000, value }));

describe('thresholdRule', () => {
  it('flags values above the upper or below the lower bound, bounds themselves are normal', () => {
    assert.equal(thresholdRule(11, { upper: 10 }).anomalous, true);
    assert.equal(thresholdRule(10, { upper: 10 }).anomalous, false);
    assert.equal(thresholdRule({ t: 0, value: -1 }, { lower: 0, upper: 10 }).anomalous, true);
    const result = thresholdRule(12.5, { upper: 10 });
    assert.deepEqual(result, { anomalous: true, value: 12.5, expected: null, lower: null, upper: 10, reason: '12.5 above upper bound 10 (fixed threshold)' });
  });

  it('does not judge a non-finite value', () => {
    assert.equal(thresholdRule(Number.NaN, { upper: 1 }).anomalous, false);
  });
});

describe('windowRule', () => {
  const base = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11]; // mean 10.5, sample std ≈ 1.0801

  it('flags a value outside mean ± k·std of the previous N points', () => {
    const std = Math.sqrt(base.reduce((s, x) => s + (x - 10.5) ** 2, 0) / 9);
    const ok = windowRule(series([...base, 13]), { window: 10 });
    assert.equal(ok.anomalous, false);
    assert.equal(ok.expected, 10.5);
    assertClose(ok.upper!, 10.5 + 3 * std, 'upper', 1e-12);
    assertClose(ok.lower!, 10.5 - 3 * std, 'lower', 1e-12);
    const spike = windowRule(series([...base, 14]), { window: 10 });
    assert.equal(spike.anomalous, true);
    assert.match(spike.reason, /^14 above upper bound 13\.74\d* \(mean 10\.5 ± 3×std 1\.0801\d* of previous 10\)$/);
  });

  it('uses only the last N points', () => {
    assert.equal(windowRule(series([1000, ...base, 13]), { window: 10 }).expected, 10.5);
  });

  it('with center "median" uses the median and 1.4826·MAD', () => {
    const result = windowRule(series([...base, 13]), { window: 10, center: 'median' });
    assert.equal(result.expected, median(base)); // 10.5
    assertClose(result.upper!, 10.5 + 3 * robustScale(base), 'upper', 1e-12);
    // |x − 10.5| is 0.5 six times and 1.5 four times: MAD = 0.5
    assertClose(robustScale(base), 1.482602218505602 * 0.5, 'scaled MAD', 1e-12);
  });

  it('flags a relative change beyond the limit, reporting the tighter band', () => {
    const result = windowRule(series([...base, 13]), { window: 10, relativeChange: 0.2 });
    assert.equal(result.anomalous, true); // 13 > 10.5 · 1.2 = 12.6
    assertClose(result.upper!, 12.6, 'upper', 1e-12);
    assert.equal(windowRule(series([...base, 12]), { window: 10, k: Infinity, relativeChange: 0.2 }).anomalous, false);
  });

  it('waits for enough history and skips non-finite history points', () => {
    assert.match(windowRule(series([1, 2, 3]), { window: 10 }).reason, /not enough history: 2 of 10/);
    assert.equal(windowRule(series([...base, Number.NaN, 10]), { window: 10 }).expected, 10.5);
  });
});

describe('holtWintersRule', () => {
  it('bands the hand-worked forecast with 3 residual standard deviations', () => {
    // See holt-winters.test.ts: forecast 3.896484375, residual std √(128396/786432).
    const std = Math.sqrt(128396 / 786432);
    const options = { seasonLength: 2, alpha: 0.5, beta: 0.5, gamma: 0.5 };
    const normal = holtWintersRule(series([1, 3, 2, 4, 3, 5, 3.9]), options);
    assert.equal(normal.anomalous, false);
    assert.equal(normal.expected, 3.896484375);
    assertClose(normal.lower!, 3.896484375 - 3 * std, 'lower', 1e-12);
    assertClose(normal.upper!, 3.896484375 + 3 * std, 'upper', 1e-12);
    assert.equal(holtWintersRule(series([1, 3, 2, 4, 3, 5, 10]), options).anomalous, true);
  });

  it('follows trend and season where a flat window rule would not', () => {
    const random = createRandom(3);
    const pattern = [0, 8, 16, 8];
    const values = Array.from({ length: 40 }, (_, t) => 100 + t + pattern[t % 4]! + random.normal(0, 0.5));
    const expectedNext = 100 + 40 + pattern[0]!;
    const result = holtWintersRule(series([...values, expectedNext]), { seasonLength: 4, alpha: 0.5, beta: 0.2, gamma: 0.5 });
    assert.equal(result.anomalous, false, result.reason);
    assert.equal(holtWintersRule(series([...values, expectedNext + 10]), { seasonLength: 4, alpha: 0.5, beta: 0.2, gamma: 0.5 }).anomalous, true);
  });

  it('waits for two seasons of history', () => {
    assert.match(holtWintersRule(series([1, 2, 3, 4]), { seasonLength: 4 }).reason, /not enough history: 3 of 8/);
  });
});

describe('seasonalMedianRule', () => {
  const pattern = [5, 9, 14, 9];
  const random = createRandom(5);
  const values = Array.from({ length: 24 }, (_, t) => pattern[t % 4]! + random.normal(0, 0.3));

  it('expects the median of the same phase in the previous seasons', () => {
    const result = seasonalMedianRule(series([...values, 5.2]), { seasonLength: 4, seasons: 3 });
    assert.equal(result.expected, median([values[20]!, values[16]!, values[12]!]));
    assert.equal(result.anomalous, false, result.reason);
    assert.equal(seasonalMedianRule(series([...values, 9]), { seasonLength: 4 }).anomalous, true);
  });

  it('is not thrown off by one outlier in a past season', () => {
    const withOutlier = values.map((v, t) => (t === 16 ? 100 : v));
    const result = seasonalMedianRule(series([...withOutlier, 5.2]), { seasonLength: 4 });
    assert.equal(result.anomalous, false, result.reason);
  });

  it('waits for enough history', () => {
    assert.match(seasonalMedianRule(series(values.slice(0, 10)), { seasonLength: 4 }).reason, /not enough history: 9 of 14/);
  });
});
