import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqClientError } from './errors.js';
import { flattenNested, prepareTensor, toJsonInput } from './tensor.js';

describe('tensors from typed and nested arrays', () => {
  it('infers shape from nesting and datatype from values or the typed array', () => {
    assert.deepEqual(flattenNested([[1, 2], [3, 4], [5, 6]], 'x'), { shape: [3, 2], values: [1, 2, 3, 4, 5, 6] });
    assert.deepEqual(prepareTensor({ name: 'x', data: [[1, 2]] }).datatype, 'FP32');
    assert.deepEqual(prepareTensor({ name: 'x', data: [[true, false]] }).datatype, 'BOOL');
    assert.deepEqual(prepareTensor({ name: 'x', data: ['a'] }).datatype, 'BYTES');
    assert.deepEqual(prepareTensor({ name: 'x', data: [[1n]] }).datatype, 'INT64');
    const typed = prepareTensor({ name: 'x', data: new Int32Array(6), shape: [2, 3] });
    assert.deepEqual([typed.datatype, typed.shape], ['INT32', [2, 3]]);
    assert.deepEqual(prepareTensor({ name: 'x', data: new Float64Array(4) }).shape, [4]);
    assert.deepEqual(prepareTensor({ name: 'x', data: [1, 2, 3, 4], shape: [2, 2], datatype: 'INT8' }).datatype, 'INT8');
  });

  it('refuses ragged arrays and shapes that do not hold the data, naming the input', () => {
    for (const input of [
      { name: 'a', data: [[1, 2], [3]] },
      { name: 'b', data: [[1, 2], 3] as never },
      { name: 'c', data: new Float32Array(5), shape: [2, 2] },
      { name: 'd', data: [1, 2], shape: [-1] },
    ]) {
      assert.throws(() => prepareTensor(input), (e: InferqClientError) => e.code === 'INVALID_ARGUMENT' && e.message.includes(`"${input.name}"`));
    }
  });

  it('writes JSON data flat, bigints as numbers', () => {
    assert.deepEqual(toJsonInput(prepareTensor({ name: 'x', data: BigInt64Array.from([1n, -2n]) })).data, [1, -2]);
  });
});
