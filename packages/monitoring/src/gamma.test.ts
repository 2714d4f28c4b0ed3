import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
import { assertClose, fixture } from './testing.js';

const { cases } = fixture<{ cases: Array<{ a: number; x: number; p: number; q: number }> }>('gamma.json');

describe('logGamma', () => {
  it('matches ln((n − 1)!) for integers', () => {
    let factorial = 1;
    for (let n = 1; n <= 25; n++) {
      assertClose(logGamma(n), Math.log(factorial), `lnΓ(${n})`, 1e-12, 1e-14);
      factorial *= n;
    }
  });

  it('matches closed forms at half-integers and small arguments', () => {
    assertClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 'lnΓ(1/2) = ln √π', 1e-14);
    assertClose(logGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2), 'lnΓ(3/2)', 1e-14);
    assertClose(logGamma(4.5), Math.log((105 / 16) * Math.sqrt(Math.PI)), 'lnΓ(9/2)', 1e-13);
    assertClose(logGamma(0.1), Math.log(9.513507698668732), 'lnΓ(0.1)', 1e-13); // Γ(0.1), Abramowitz & Stegun table 6.1 ×10
    assertClose(logGamma(1000), 5905.220423209181, 'lnΓ(1000) (Stirling with 1/12n − 1/360n³)', 1e-9);
  });

  it('is NaN outside its domain', () => {
    assert.ok(Number.isNaN(logGamma(0)));
    assert.ok(Number.isNaN(logGamma(-1.5)));
    assert.ok(Number.isNaN(logGamma(Number.NaN)));
  });
});

describe('regularized incomplete gamma', () => {
  it(`matches @stdlib's chi-squared CDF, P(a, x) = F(2x; 2a), over ${cases.length} points`, () => {
    for (const { a, x, p, q } of cases) {
      assertClose(regularizedGammaP(a, x), p, `P(${a}, ${x})`, 1e-12);
      assertClose(regularizedGammaQ(a, x), q, `Q(${a}, ${x})`, 1e-12);
    }
  });

  it('has P + Q = 1 and the exponential special case P(1, x) = 1 − e^−x', () => {
    for (const x of [0.01, 0.5, 1, 2, 7, 30]) {
      assertClose(regularizedGammaP(1, x) + regularizedGammaQ(1, x), 1, `P + Q at x = ${x}`, 1e-15);
      assertClose(regularizedGammaQ(1, x), Math.exp(-x), `Q(1, ${x})`, 0, 1e-13);
    }
  });

  it('keeps relative precision deep in the upper tail', () => {
    // Q(1, 50) = e^−50 exactly; 1 − P would round to 0.
    assertClose(regularizedGammaQ(1, 50), Math.exp(-50), 'Q(1, 50)', 0, 1e-12);
  });

  it('handles the domain edges', () => {
    assert.equal(regularizedGammaP(2, 0), 0);
    assert.equal(regularizedGammaQ(2, 0), 1);
    assert.equal(regularizedGammaP(2, Infinity), 1);
    assert.equal(regularizedGammaQ(2, Infinity), 0);
    assert.ok(Number.isNaN(regularizedGammaP(0, 1)));
    assert.ok(Number.isNaN(regularizedGammaQ(1, -1)));
  });
});
