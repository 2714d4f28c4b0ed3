import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { erf, erfc, normalCdf, normalSf } from './erf.js';
import { assertClose, fixture } from './testing.js';

const { cases } = fixture<{ cases: Array<{ x: number; cdf: number }> }>('normal.json');

describe('normal distribution via erf', () => {
  it(`matches @stdlib's normal CDF at ${cases.length} points`, () => {
    for (const { x, cdf } of cases) {
      assertClose(normalCdf(x), cdf, `Φ(${x})`, 1e-14);
      assertClose(normalSf(-x), cdf, `1 − Φ(${-x})`, 1e-14);
    }
  });

  it('gives erf(x) = 2Φ(x√2) − 1 and erfc = 1 − erf', () => {
    for (const { x, cdf } of cases) {
      if (Math.abs(x) > 5) continue;
      assertClose(erf(x / Math.SQRT2), 2 * cdf - 1, `erf(${x}/√2)`, 1e-14);
      assertClose(erfc(x / Math.SQRT2), 2 - 2 * cdf, `erfc(${x}/√2)`, 1e-14);
    }
  });

  it('matches published erf values (Abramowitz & Stegun table 7.1)', () => {
    assertClose(erf(0.5), 0.5204998778, 'erf(0.5)', 1e-10);
    assertClose(erf(1), 0.8427007929, 'erf(1)', 1e-10);
    assertClose(erf(2), 0.9953222650, 'erf(2)', 1e-10);
    assert.equal(erf(0), 0);
    assertClose(erf(-1), -0.8427007929, 'erf is odd', 1e-10);
  });

  it('keeps the far tail: erfc(10) ≈ 2.088487583762545e-45', () => {
    assertClose(erfc(10), 2.088487583762545e-45, 'erfc(10)', 0, 1e-12);
    assertClose(normalSf(10), 7.619853024160527e-24, 'P(Z > 10)', 0, 1e-12);
  });

  it('accepts a mean and standard deviation', () => {
    assertClose(normalCdf(3.76 + 1.76, 3.76, 1.76), normalCdf(1), 'Φ((x − μ)/σ)', 1e-15);
    assert.ok(Number.isNaN(erf(Number.NaN)));
  });
});
