import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kolmogorovSf, ksExactPValue } from './ks-distribution.js';
import { ksAsymptoticPValue, ksStatistic, ksTwoSample } from './ks-test.js';
import { assertClose, fixture } from './testing.js';

interface KsFixture {
  permutation: Array<{ a: number[]; b: number[]; statistic: number; pValue: number }>;
  lattice: Array<{ a: number[]; b: number[]; statistic: number; pValue: number; ties: boolean }>;
  kolmogorov: Array<{ lambda: number; q: number }>;
  asymptotic: Array<{ a: number[]; b: number[]; statistic: number; pValue: number }>;
}
const data = fixture<KsFixture>('ks.json');

describe('ksStatistic', () => {
  it('matches max |F1 − F2| computed point by point, with and without ties', () => {
    for (const { a, b, statistic } of [...data.permutation, ...data.lattice, ...data.asymptotic]) {
      assertClose(ksStatistic(a, b).statistic, statistic, `D for n = ${a.length}, ${b.length}`, 1e-12);
    }
  });

  it('is 1 for separated samples and 0 for identical ones', () => {
    assert.equal(ksStatistic([1, 2, 3], [4, 5]).statistic, 1);
    assert.equal(ksStatistic([3, 1, 2], [2, 3, 1]).statistic, 0);
  });

  it('rejects an empty sample and NaN', () => {
    assert.throws(() => ksStatistic([], [1]), RangeError);
    assert.throws(() => ksStatistic([1, Number.NaN], [1]), /without NaN/);
  });
});

describe('ksTwoSample, exact p-values', () => {
  it('equal the share of all rank permutations with D ≥ observed (full enumeration)', () => {
    for (const { a, b, pValue } of data.permutation) {
      const result = ksTwoSample(a, b);
      assert.equal(result.method, 'exact');
      assertClose(result.pValue, pValue, `p for n = ${a.length}, ${b.length}`, 1e-12);
    }
  });

  it('equal exact BigInt lattice-path counts for larger samples (n up to 1000 × 50, tiny p, ties)', () => {
    for (const { a, b, pValue } of data.lattice) {
      const result = ksTwoSample(a, b, { mode: 'exact' });
      assert.equal(result.method, 'exact');
      assertClose(result.pValue, pValue, `p for n = ${a.length}, ${b.length}`, 1e-12, 1e-9);
    }
  });

  it('is 1 when D = 0', () => {
    assert.equal(ksExactPValue(5, 7, 0), 1);
  });
});

describe('Kolmogorov limiting distribution', () => {
  it('matches the dual series of each branch', () => {
    for (const { lambda, q } of data.kolmogorov) assertClose(kolmogorovSf(lambda), q, `Q(${lambda})`, 1e-12);
  });

  it('gives the classic critical values: Q(1.3581) ≈ 0.05, Q(1.6276) ≈ 0.01', () => {
    assertClose(kolmogorovSf(1.3581), 0.05, 'Q(1.3581)', 1e-4);
    assertClose(kolmogorovSf(1.6276), 0.01, 'Q(1.6276)', 1e-4);
    assert.equal(kolmogorovSf(0), 1);
  });

  it("is used by mode 'asymp' at √(n1·n2/(n1+n2))·D", () => {
    for (const { a, b, pValue } of data.asymptotic) {
      const result = ksTwoSample(a, b, { mode: 'asymp' });
      assert.equal(result.method, 'asymp');
      assertClose(result.pValue, pValue, `asymptotic p for n = ${a.length}, ${b.length}`, 1e-12);
      assert.equal(result.pValue, ksAsymptoticPValue(result.statistic, a.length, b.length));
    }
  });

  it("'auto' switches to asymp above 10 000 values, like scipy", () => {
    const big = Array.from({ length: 10_001 }, (_, i) => i / 10_001);
    assert.equal(ksTwoSample(big, [0.5, 0.25]).method, 'asymp');
    assert.equal(ksTwoSample(big.slice(0, 10_000), [0.5, 0.25]).method, 'exact');
  });
});
