import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InferenceResponse } from '@inferq/contract';
import { compareOutputs } from './output-comparison.js';

const response = (probabilities: number[], labels: number[]): InferenceResponse => ({
  model_name: 'iris', id: 'x',
  outputs: [
    { name: 'probabilities', datatype: 'FP32', shape: [labels.length, 3], data: probabilities },
    { name: 'label', datatype: 'INT64', shape: [labels.length], data: labels },
  ],
});

describe('compareOutputs', () => {
  it('counts rows with the same argmax and sums absolute differences of float outputs', () => {
    const a = response([0.7, 0.2, 0.1, 0.1, 0.3, 0.6], [0, 2]);
    const b = response([0.6, 0.3, 0.1, 0.1, 0.6, 0.3], [0, 1]);
    const c = compareOutputs(a, b)!;
    assert.equal(c.samples, 2);
    assert.equal(c.agreements, 1);
    assert.equal(c.absDiffCount, 6);
    assert.ok(Math.abs(c.absDiffSum - (0.1 + 0.1 + 0 + 0 + 0.3 + 0.3)) < 1e-12);
    assert.deepEqual(c.baselineClasses, { 0: 1, 2: 1 });
    assert.deepEqual(c.candidateClasses, { 0: 1, 1: 1 });
  });

  it('falls back to a rank-1 label output when there are no scores', () => {
    const labelsOnly = (labels: number[]): InferenceResponse => ({ model_name: 'm', id: 'x', outputs: [{ name: 'label', datatype: 'INT64', shape: [labels.length], data: labels }] });
    assert.deepEqual(compareOutputs(labelsOnly([1, 2, 3]), labelsOnly([1, 0, 3])), {
      samples: 3, agreements: 2, absDiffSum: 0, absDiffCount: 0,
      baselineClasses: { 1: 1, 2: 1, 3: 1 }, candidateClasses: { 1: 1, 0: 1, 3: 1 },
    });
  });

  it('skips non-finite values and refuses outputs that do not line up', () => {
    const a = response([Number.NaN, 0.5, 0.5], [1]);
    a.outputs[0]!.data = ['NaN', 0.5, 0.4];
    const b = response([0.1, 0.5, 0.4], [1]);
    const c = compareOutputs(a, b)!;
    assert.equal(c.absDiffCount, 2);
    assert.equal(c.agreements, 1);
    const other: InferenceResponse = { model_name: 'm', id: 'x', outputs: [{ name: 'scores', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] };
    assert.equal(compareOutputs(a, other), undefined);
    const reshaped = response([0.1, 0.5, 0.4, 0.1, 0.5, 0.4], [1, 1]);
    assert.equal(compareOutputs(b, reshaped), undefined);
  });
});
