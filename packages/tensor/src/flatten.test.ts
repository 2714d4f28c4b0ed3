import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { flattenTensorData } from './flatten.js';

/** `levels` arrays wrapped around `[leaf]`. */
function nested(levels: number, leaf: unknown = 1): unknown[] {
  let data: unknown[] = [leaf];
  for (let i = 0; i < levels; i++) data = [data];
  return data;
}

const isCode = (code: string, pattern: RegExp) => (error: unknown) =>
  error instanceof InferqError && error.code === code && pattern.test(error.message);

describe('flattenTensorData', () => {
  it('returns flat data as it is, without copying', () => {
    const data = [1, 2, 3];
    assert.equal(flattenTensorData(data, 1, 'x', 3), data);
  });

  it('does not check element kinds or count on the flat path', () => {
    assert.deepEqual(flattenTensorData(['a', null, true], 1, 'x', 1), ['a', null, true]);
  });

  it('flattens nested arrays row-major', () => {
    assert.deepEqual(flattenTensorData([[1, 2, 3], [4, 5, 6]], 2, 'x', 6), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(flattenTensorData([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], 3, 'x', 8), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('accepts nesting shallower than the limit and empty rows', () => {
    assert.deepEqual(flattenTensorData([[1, 2], [3, 4]], 4, 'x', 4), [1, 2, 3, 4]);
    assert.deepEqual(flattenTensorData([[], []], 2, 'x', 0), []);
  });

  it('refuses nesting deeper than maxDepth, naming the input', () => {
    assert.throws(() => flattenTensorData([[[1]]], 2, 'pixels', 1), isCode('INVALID_TENSOR_DATA', /input "pixels": data is nested deeper than the tensor's rank \(2\)/));
    assert.throws(() => flattenTensorData([1, [2]], 1, 'x', 2), isCode('INVALID_TENSOR_DATA', /rank \(1\)/));
  });

  it('refuses 100k levels of hostile nesting without overflowing the stack', () => {
    const data = nested(100_000);
    assert.throws(() => flattenTensorData(data, 4, 'deep', 1), isCode('INVALID_TENSOR_DATA', /input "deep"/));
  });

  it('walks 100k levels iteratively when the depth limit allows it', () => {
    assert.deepEqual(flattenTensorData(nested(100_000, 7), Infinity, 'deep', 1), [7]);
  });

  it('stops at maxElements values instead of collecting all of them', () => {
    assert.deepEqual(flattenTensorData([[1, 2], [3, 4]], 2, 'x', 4), [1, 2, 3, 4]);
    assert.throws(() => flattenTensorData([[1, 2], [3, 4, 5]], 2, 'x', 4), isCode('ELEMENT_COUNT_MISMATCH', /input "x": data holds more values than its shape allows \(4\)/));
    const huge = [Array.from({ length: 1000 }, () => 0)];
    assert.throws(() => flattenTensorData(huge, 2, 'x', 10), isCode('ELEMENT_COUNT_MISMATCH', /\(10\)/));
  });
});

describe('flattenTensorData with a shape: nested data must be rectangular', () => {
  it('accepts full and partial nesting that agrees with the shape', () => {
    assert.deepEqual(flattenTensorData([[1, 2], [3, 4]], 2, 'x', 4, [2, 2]), [1, 2, 3, 4]);
    assert.deepEqual(flattenTensorData([[1, 2, 3, 4, 5, 6]], 3, 'x', 6, [1, 2, 3]), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(flattenTensorData([[[1, 2, 3], [4, 5, 6]]], 3, 'x', 6, [1, 2, 3]), [1, 2, 3, 4, 5, 6]);
  });
  it('rejects ragged rows and mixed depths, naming where', () => {
    assert.throws(() => flattenTensorData([[1, 2, 3], [4]], 2, 'x', 4, [2, 2]), isCode('ELEMENT_COUNT_MISMATCH', /data\[0\] has 3 items, expected 2/));
    assert.throws(() => flattenTensorData([[1], [2, 3, 4]], 2, 'x', 4, [2, 2]), isCode('ELEMENT_COUNT_MISMATCH', /data\[0\] has 1 items, expected 2/));
    assert.throws(() => flattenTensorData([1, [2]], 2, 'x', 2, [2, 1]), isCode('INVALID_TENSOR_DATA', /different nesting depths \(data\[1\]\[0\]\)/));
    assert.throws(() => flattenTensorData([[1, 2], [3, 4], [5, 6]], 2, 'x', 6, [2, 3]), isCode('ELEMENT_COUNT_MISMATCH', /expected 3/));
  });
});
