import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeInput, summarizeOutputs } from './tensor-summary.js';
import { toFloat16Bits } from './float16.js';

describe('summarizeInput', () => {
  it('keeps the rows of a named 2-D feature table, non-finite values as null', () => {
    const summary = summarizeInput(
      { name: 'features', datatype: 'FP32', shape: [2, 3], data: Float32Array.from([5.1, 3.5, 1.4, 6.7, NaN, 5.2]) },
      ['a', 'b', 'c'],
    );
    assert.deepEqual(summary, { kind: 'tabular', featureNames: ['a', 'b', 'c'], rows: [[5.1, 3.5, 1.4], [6.7, null, 5.2]] });
  });

  it('summarises a 2-D tensor without feature names (or with the wrong count) per row', () => {
    const summary = summarizeInput({ name: 'x', datatype: 'FP64', shape: [2, 2], data: Float64Array.from([1, 3, -2, 2]) }, ['only-one']);
    assert.deepEqual(summary, { kind: 'tensor', shape: [2, 2], mean: [2, 0], std: [1, 2], min: [1, -2], max: [3, 2] });
  });

  it('keeps the brightness (mean) of each image of an [N, 3, H, W] batch', () => {
    const data = new Float32Array(2 * 3 * 2 * 2);
    data.fill(0.25, 0, 12);
    data.fill(-0.5, 12);
    const summary = summarizeInput({ name: 'x', datatype: 'FP32', shape: [2, 3, 2, 2], data });
    assert.deepEqual(summary, { kind: 'image', shape: [2, 3, 2, 2], brightness: [0.25, -0.5] });
  });

  it('leaves NaN and infinite values out of the statistics, and a row with none finite is null', () => {
    const data = Float32Array.from([1, NaN, 3, Infinity, NaN, NaN, NaN, NaN]);
    assert.deepEqual(summarizeInput({ name: 'x', datatype: 'FP32', shape: [2, 1, 2, 2], data }), { kind: 'image', shape: [2, 1, 2, 2], brightness: [2, null] });
    assert.deepEqual(summarizeInput({ name: 'x', datatype: 'FP32', shape: [2, 4], data }), { kind: 'tensor', shape: [2, 4], mean: [2, null], std: [1, null], min: [1, null], max: [3, null] });
  });

  it('decodes FP16 bits and 64-bit integers; BYTES keeps its shape only', () => {
    const half = summarizeInput({ name: 'h', datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([toFloat16Bits(1), toFloat16Bits(3)]) });
    assert.deepEqual(half.kind === 'tensor' && half.mean, [2]);
    const big = summarizeInput({ name: 'i', datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([4n, 8n]) });
    assert.deepEqual(big.kind === 'tensor' && big.max, [8]);
    assert.deepEqual(summarizeInput({ name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'b'] }), { kind: 'other', shape: [2], datatype: 'BYTES' });
  });
});

describe('summarizeOutputs', () => {
  it('takes the class from the integer label output and the confidence from the probabilities', () => {
    const summary = summarizeOutputs([
      { name: 'probabilities', datatype: 'FP32', shape: [2, 3], data: [0.1, 0.2, 0.7, 0.8, 0.15, 0.05] },
      { name: 'label', datatype: 'INT64', shape: [2], data: BigInt64Array.from([2n, 0n]) },
    ], ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(summary, { classes: [2, 0], confidence: [0.7, 0.8], labels: ['virginica', 'setosa'] });
  });

  it('uses argmax and a softmax for scores that are not probabilities; NaN rows are null outputs', () => {
    const summary = summarizeOutputs([{ name: 'logits', datatype: 'FP32', shape: [2, 2], data: [0, Math.log(3), NaN, 1] }]);
    assert.deepEqual(summary?.classes, [1, null]);
    assert.ok(Math.abs(summary!.confidence![0]! - 0.75) < 1e-6);
    assert.equal(summary!.confidence![1], null);
  });

  it('gives nothing for outputs that are not a classification', () => {
    assert.equal(summarizeOutputs([{ name: 'y', datatype: 'FP32', shape: [3, 1], data: [1, 2, 3] }]), undefined);
  });
});
