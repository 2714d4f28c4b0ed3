import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binShares, fillEmptyShares, histogramCounts, quantileEdges, quantileSorted, sturgesEdges } from './binning.js';
import { assertClose } from './testing.js';

describe('quantileSorted (numpy linear / type 7)', () => {
  it('matches numpy.quantile on small examples', () => {
    // np.quantile([1, 2, 3, 4], [0, .25, .5, .75, 1]) → [1, 1.75, 2.5, 3.25, 4]
    assert.deepEqual([0, 0.25, 0.5, 0.75, 1].map((p) => quantileSorted([1, 2, 3, 4], p)), [1, 1.75, 2.5, 3.25, 4]);
    // np.quantile([10, 20, 40], 0.9) = 20 + 0.8·20 = 36
    assertClose(quantileSorted([10, 20, 40], 0.9), 36, 'q(0.9)', 1e-12);
    assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  });
});

describe('sturgesEdges (numpy histogram_bin_edges, bins="sturges")', () => {
  it('gives ⌈log₂ n + 1⌉ equal bins over [min, max]', () => {
    // np.histogram_bin_edges(np.arange(10), bins='sturges') → [0, 1.8, 3.6, 5.4, 7.2, 9]
    const edges = sturgesEdges([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(edges.length, 6);
    [0, 1.8, 3.6, 5.4, 7.2, 9].forEach((e, i) => assertClose(edges[i]!, e, `edge ${i}`, 1e-12));
  });

  it('widens a constant sample to [v − 0.5, v + 0.5] with one bin', () => {
    assert.deepEqual(sturgesEdges([3, 3, 3]), [2.5, 3.5]);
  });
});

describe('histogramCounts', () => {
  it('counts [e_i, e_i+1) with the last bin closed and drops values outside', () => {
    assert.deepEqual(histogramCounts([0, 1, 1.5, 2, 3, 3, -1, 3.5], [0, 1, 2, 3]), [1, 2, 3]);
  });

  it('with open-ended quantile edges counts everything', () => {
    const edges = quantileEdges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4); // inner edges 3.25, 5.5, 7.75
    assert.deepEqual(edges, [-Infinity, 3.25, 5.5, 7.75, Infinity]);
    assert.deepEqual(histogramCounts([-100, 3.25, 5, 100], edges), [1, 2, 0, 1]);
  });

  it('merges repeated quantiles of heavily tied data', () => {
    // quartiles of eight 1s, a 2 and a 3 are 1, 1, 1 → one inner edge
    assert.deepEqual(quantileEdges([1, 1, 1, 1, 1, 1, 1, 1, 2, 3], 4), [-Infinity, 1, Infinity]);
  });
});

describe('fillEmptyShares (Evidently feel_zeroes)', () => {
  it('puts 0.0001 in empty bins', () => {
    assert.deepEqual(fillEmptyShares([0.5, 0, 0.5]), [0.5, 0.0001, 0.5]);
  });

  it('uses the smallest share / 10⁶ when that share is already ≤ 0.0001', () => {
    assert.deepEqual(fillEmptyShares([0.99995, 0.00005, 0]), [0.99995, 0.00005, 0.00005 / 1e6]);
  });
});

describe('binShares', () => {
  it('bins few-valued numeric features per value, over the union of values', () => {
    const shares = binShares([1, 1, 2, 3], [3, 4]);
    assert.deepEqual(shares.categories, [1, 2, 3, 4]);
    assert.deepEqual(shares.reference, [0.5, 0.25, 0.25, 0]);
    assert.deepEqual(shares.current, [0, 0, 0.5, 0.5]);
    assert.equal(shares.edges, null);
  });

  it('cuts many-valued numeric features into Sturges bins over both samples', () => {
    const reference = Array.from({ length: 30 }, (_, i) => i);
    const current = [10, 40];
    const shares = binShares(reference, current);
    assert.deepEqual(shares.edges, sturgesEdges([...reference, ...current]));
    assertClose(shares.reference.reduce((a, b) => a + b, 0), 1, 'reference shares sum to 1', 1e-12);
    assertClose(shares.current.reduce((a, b) => a + b, 0), 1, 'current shares sum to 1', 1e-12);
  });

  it('bins categorical features per value even when numeric', () => {
    const reference = Array.from({ length: 30 }, (_, i) => i);
    assert.equal(binShares(reference, [1], { type: 'categorical' }).categories?.length, 30);
  });
});
