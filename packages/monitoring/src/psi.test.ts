import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { populationStabilityIndex, psiFromShares } from './psi.js';
import { assertClose, fixture } from './testing.js';

interface PsiFixture {
  quantile: Array<{ reference: number[]; current: number[]; bins: number; psi: number }>;
  sturges: Array<{ reference: number[]; current: number[]; psi: number }>;
  categorical: Array<{ reference: Array<number | string>; current: Array<number | string>; psi: number }>;
}
const data = fixture<PsiFixture>('psi.json');

describe('psiFromShares', () => {
  it('matches a hand-worked example', () => {
    // r = (.25, .25, .25, .25), c = (.1, .2, .3, .4):
    //   .15·ln 2.5 + .05·ln 1.25 + (−.05)·ln(.25/.3) + (−.15)·ln(.25/.4)
    // = .137444 + .011157 + .009116 + .070501 = .228218
    assertClose(psiFromShares([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 0.2282179, 'worked example', 1e-6);
    assert.equal(psiFromShares([0.2, 0.8], [0.2, 0.8]), 0);
  });

  it('is symmetric in its arguments', () => {
    assert.equal(psiFromShares([0.3, 0.7], [0.6, 0.4]), psiFromShares([0.6, 0.4], [0.3, 0.7]));
  });
});

describe('populationStabilityIndex', () => {
  it('with reference-decile bins matches the reference implementation', () => {
    for (const [i, { reference, current, bins, psi }] of data.quantile.entries()) {
      assertClose(populationStabilityIndex(reference, current, { bins }), psi, `quantile case ${i}`);
    }
  });

  it("with Evidently's Sturges bins matches the reference implementation", () => {
    for (const [i, { reference, current, psi }] of data.sturges.entries()) {
      assertClose(populationStabilityIndex(reference, current, { strategy: 'sturges' }), psi, `sturges case ${i}`);
    }
  });

  it('per category, including a category the reference never saw', () => {
    for (const [i, { reference, current, psi }] of data.categorical.entries()) {
      assertClose(populationStabilityIndex(reference, current, { type: 'categorical' }), psi, `categorical case ${i}`);
    }
  });

  it('is small for large samples from one distribution and large for a shift', () => {
    // Case 2: 1000 vs 200 rows, shift 0.2σ/1.76 ≈ 0.11σ; case 1: 120 vs 50 rows, shift 0.85σ.
    // (Under no drift PSI ≈ (bins − 1)(1/n + 1/m): 0.26 for 120 vs 50 rows with 10 bins.)
    const [, shifted, large] = data.quantile;
    assert.ok(populationStabilityIndex(large!.reference, large!.current) < 0.1);
    assert.ok(populationStabilityIndex(shifted!.reference, shifted!.current) > 0.2);
  });

  it('rejects empty samples', () => {
    assert.throws(() => populationStabilityIndex([], [1]), RangeError);
  });
});
