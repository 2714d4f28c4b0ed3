import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCategories, finiteNumbers, inferFeatureType, presentValues } from './feature-values.js';

describe('feature values', () => {
  it('drop null, undefined, NaN and ±Infinity as Evidently does', () => {
    assert.deepEqual(presentValues([1, null, 'a', undefined, Number.NaN, Infinity, -Infinity, false, 0]), [1, 'a', false, 0]);
    assert.deepEqual(finiteNumbers([1, null, '2', Number.NaN, 3.5]), [1, 3.5]);
  });

  it('order categories as Python sorts them: numbers, then booleans, then strings', () => {
    assert.deepEqual(['b', 10, true, 'A', 2, false].sort(compareCategories), [2, 10, false, true, 'A', 'b']);
  });
});

describe('inferFeatureType (Evidently _get_column_type)', () => {
  it('treats strings and booleans as categorical', () => {
    assert.equal(inferFeatureType(['setosa', 'virginica']), 'categorical');
    assert.equal(inferFeatureType([true, false, true]), 'categorical');
  });

  it('treats integer features with ≤ 5 distinct reference values as categorical', () => {
    assert.equal(inferFeatureType([0, 1, 2, 0, 1, 2]), 'categorical');
    assert.equal(inferFeatureType([1, 2, 3, 4, 5]), 'categorical');
    assert.equal(inferFeatureType([1, 2, 3, 4, 5, 6]), 'numeric');
    // the reference decides, not the window
    assert.equal(inferFeatureType([0, 1, 0, 1], [5, 6, 7, 8, 9]), 'categorical');
  });

  it('treats non-integer numbers as numeric however few', () => {
    assert.equal(inferFeatureType([0.5, 1.5, 0.5]), 'numeric');
  });

  it('ignores missing values', () => {
    assert.equal(inferFeatureType([null, 1, Number.NaN, 2]), 'categorical');
  });
});
