import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeInputBatch } from './tensor-batch-summary.js';
import { summarizeInput, type SummarisableTensor } from './tensor-summary.js';

const fp32 = (shape: number[], data: number[]): SummarisableTensor => ({ name: 'x', datatype: 'FP32', shape, data: Float32Array.from(data) });

describe('summarizeInputBatch', () => {
  it('holds the values summarizeInput gives each tensor, in order (a table column by column)', () => {
    const tensors = [fp32([1, 2], [1.5, NaN]), fp32([2, 2], [3, 4, 5, 6]), fp32([0, 2], [])];
    const batch = summarizeInputBatch(tensors, ['a', 'b']);
    assert.deepEqual(batch, { kind: 'tabular', shapes: [[1, 2], [2, 2], [0, 2]], featureNames: ['a', 'b'], columns: [[1.5, 3, 5], [null, 4, 6]] });
    // An empty [0, F] tensor on its own is not a table (no rows to name); in a batch it follows the others.
    assert.equal(summarizeInput(tensors[2]!, ['a', 'b']).kind, 'tensor');
    assert.equal(summarizeInputBatch([tensors[2]!], ['a', 'b']).kind, 'tensor');
  });

  it('images keep brightness, other tensors mean/std/min/max, per row of every tensor', () => {
    const images = [fp32([1, 1, 1, 2], [0, 1]), fp32([2, 1, 1, 2], [2, 4, Infinity, 1])];
    assert.deepEqual(summarizeInputBatch(images), { kind: 'image', shapes: [[1, 1, 1, 2], [2, 1, 1, 2]], brightness: [0.5, 3, 1] });
    const vectors = [fp32([1, 3], [1, 2, 3]), fp32([], [7])];
    const batch = summarizeInputBatch(vectors);
    assert.deepEqual(batch, { kind: 'tensor', shapes: [[1, 3], []], mean: [2, 7], std: [0.8164966, 0], min: [1, 7], max: [3, 7] });
    const own = vectors.map((t) => summarizeInput(t));
    assert.deepEqual(own.flatMap((s) => (s.kind === 'tensor' ? s.mean : [])), [2, 7]);
  });

  it('tensors of different kinds fall back to statistics, or to shapes alone when one is BYTES', () => {
    const mixed = summarizeInputBatch([fp32([1, 2], [1, 2]), fp32([1, 3], [1, 2, 3])], ['a', 'b']);
    assert.equal(mixed.kind, 'tensor');
    const withBytes = summarizeInputBatch([fp32([1, 2], [1, 2]), { name: 'x', datatype: 'BYTES', shape: [1], data: ['hi'] }]);
    assert.deepEqual(withBytes, { kind: 'other', shapes: [[1, 2], [1]], datatype: 'FP32' });
  });
});
