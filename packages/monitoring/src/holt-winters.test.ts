import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitHoltWinters, sampleStd } from './holt-winters.js';
import { assertClose, fixture } from './testing.js';

interface HwFixture {
  seasonLength: number;
  series: number[];
  cases: Array<{ alpha: number; beta: number; gamma: number; forecasts: Array<number | null>; residualStd: number; next: number }>;
}
const data = fixture<HwFixture>('holt-winters.json');

describe('fitHoltWinters', () => {
  it('matches the recurrence worked by hand (m = 2, α = β = γ = 1/2)', () => {
    // y = 1, 3, 2, 4, 3, 5. Start: ℓ1 = (1 + 3)/2 = 2, b1 = ((2 + 4)/2 − 2)/2 = 0.5, s0 = −1, s1 = 1.
    // t=2: ŷ = 2 + 0.5 − 1 = 1.5;        ℓ2 = .5(2 + 1) + .5(2.5) = 2.75;      b2 = .5(.75) + .5(.5) = .625;    s2 = .5(2 − 2.75) + .5(−1) = −.875
    // t=3: ŷ = 2.75 + .625 + 1 = 4.375;  ℓ3 = .5(4 − 1) + .5(3.375) = 3.1875;  b3 = .5(.4375) + .5(.625) = .53125; s3 = .5(.8125) + .5(1) = .90625
    // t=4: ŷ = 3.1875 + .53125 − .875 = 2.84375; ℓ4 = .5(3.875) + .5(3.71875) = 3.796875; b4 = .5703125; s4 = .5(−.796875) + .5(−.875) = −.8359375
    // t=5: ŷ = 3.796875 + .5703125 + .90625 = 5.2734375; ℓ5 = .5(4.09375) + .5(4.3671875) = 4.23046875;
    //      b5 = .5(.43359375) + .5(.5703125) = .501953125; s5 = .5(.76953125) + .5(.90625) = .837890625
    // next: ℓ5 + b5 + s4 = 4.23046875 + .501953125 − .8359375 = 3.896484375
    // residuals .5, −.375, .15625, −.2734375 = (256, −192, 80, −140)/512, mean 1/512;
    // deviations (255, −193, 79, −141)/512 → sample variance (65025 + 37249 + 6241 + 19881)/262144/3.
    const fit = fitHoltWinters([1, 3, 2, 4, 3, 5], { seasonLength: 2, alpha: 0.5, beta: 0.5, gamma: 0.5 });
    assert.deepEqual(fit.forecasts, [null, null, 1.5, 4.375, 2.84375, 5.2734375]); // dyadic: exact in binary
    assert.deepEqual(fit.residuals, [0.5, -0.375, 0.15625, -0.2734375]);
    assert.equal(fit.level, 4.23046875);
    assert.equal(fit.trend, 0.501953125);
    assert.deepEqual(fit.seasonals, [-0.8359375, 0.837890625]);
    assert.equal(fit.next, 3.896484375);
    assertClose(fit.residualStd!, Math.sqrt(128396 / 262144 / 3), 'residual std', 1e-15);
  });

  it('matches an array-based implementation of the recurrences on a noisy seasonal series', () => {
    for (const { alpha, beta, gamma, forecasts, residualStd, next } of data.cases) {
      const fit = fitHoltWinters(data.series, { seasonLength: data.seasonLength, alpha, beta, gamma });
      forecasts.forEach((f, t) => (f === null ? assert.equal(fit.forecasts[t], null) : assertClose(fit.forecasts[t]!, f, `ŷ_${t} (α=${alpha})`, 1e-9)));
      assertClose(fit.residualStd!, residualStd, `residual std (α=${alpha})`, 1e-9);
      assertClose(fit.next, next, `next (α=${alpha})`, 1e-9);
    }
  });

  it('fills a gap with its own forecast, keeping the seasonal phase', () => {
    const params = { seasonLength: data.seasonLength };
    const withGap = data.series.map((y, t) => (t === 13 ? Number.NaN : y));
    const gapFit = fitHoltWinters(withGap, params);
    const filled = fitHoltWinters(withGap.map((y, t) => (t === 13 ? gapFit.forecasts[13]! : y)), params);
    assert.equal(gapFit.next, filled.next);
    assert.equal(gapFit.residuals.length, filled.residuals.length - 1);
  });

  it('rejects bad parameters and too-short series', () => {
    assert.throws(() => fitHoltWinters([1, 2, 3], { seasonLength: 2 }), RangeError);
    assert.throws(() => fitHoltWinters([1, 2, 3, 4], { seasonLength: 0 }), RangeError);
    assert.throws(() => fitHoltWinters([1, 2, 3, 4], { seasonLength: 2, alpha: 1.5 }), RangeError);
    assert.throws(() => fitHoltWinters([1, Number.NaN, 3, 4], { seasonLength: 2 }), RangeError);
  });

  it('sampleStd uses n − 1', () => {
    assert.equal(sampleStd([1, 3]), Math.SQRT2);
    assert.equal(sampleStd([1]), null);
  });
});
