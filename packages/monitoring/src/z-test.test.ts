import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, fixture } from './testing.js';
import { twoProportionZTest, zTestDrift } from './z-test.js';

interface ZFixture {
  proportions: Array<{ x1: number; n1: number; x2: number; n2: number; statistic: number; pValue: number }>;
  drift: Array<{ reference: Array<string | number>; current: Array<string | number>; statistic: number; pValue: number }>;
}
const data = fixture<ZFixture>('z-test.json');

describe('twoProportionZTest', () => {
  it('matches the pooled z and 2(1 − Φ(|z|)) with @stdlib Φ', () => {
    for (const { x1, n1, x2, n2, statistic, pValue } of data.proportions) {
      const result = twoProportionZTest(x1, n1, x2, n2);
      assertClose(result.statistic, statistic, `z for ${x1}/${n1} vs ${x2}/${n2}`, 1e-12);
      assertClose(result.pValue, pValue, `p for ${x1}/${n1} vs ${x2}/${n2}`, 1e-12);
    }
  });

  it('gives z = 0, p = 1 when there is no variance', () => {
    assert.deepEqual(twoProportionZTest(0, 10, 0, 20), { statistic: 0, pValue: 1 });
    assert.deepEqual(twoProportionZTest(10, 10, 20, 20), { statistic: 0, pValue: 1 });
  });
});

describe('zTestDrift (Evidently z stattest)', () => {
  it('matches the independent computation on binary samples', () => {
    for (const [i, { reference, current, statistic, pValue }] of data.drift.entries()) {
      const result = zTestDrift(reference, current);
      assertClose(Math.abs(result.statistic), Math.abs(statistic), `|z| ${i}`, 1e-12);
      assertClose(result.pValue, pValue, `p ${i}`, 1e-12);
    }
  });

  it('counts everything but the smallest category as 1', () => {
    const result = zTestDrift(['yes', 'no', 'no', 'no'], ['yes', 'yes', 'no', 'yes']);
    assert.equal(result.baseline, 'no');
    assert.deepEqual({ statistic: result.statistic, pValue: result.pValue }, twoProportionZTest(1, 4, 3, 4));
  });

  it('gives p = 1 when both samples hold the same single value', () => {
    assert.equal(zTestDrift([1, 1, 1], [1, 1]).pValue, 1);
  });
});
