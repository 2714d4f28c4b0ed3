import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionLogBatch } from '@inferq/contract';
import { expandLogBatch } from '@inferq/predictions';
import { windowItemOf, windowItemsOfBatch } from './window-item.js';

/** Three predictions of 1, 2 and 1 rows; the second failed (no outputs). */
const batch: PredictionLogBatch = {
  model: 'm', version: '2', worker: 'w', device: 'cpu', finishedAt: 1_000, sampleRate: 0.25,
  ids: ['a', 'b', 'c'], createdAt: [990, 991, 992], rows: [1, 2, 1], ok: [1, 0, 1],
  errorCode: [null, 'INFERENCE_FAILED', null],
  timings: { totalMs: [10, 11, null], queueWaitMs: [1, 2, 3], batchSize: [4, 4, 4] },
  inputs: {
    features: { kind: 'tabular', shapes: [[1, 2], [2, 2], [1, 2]], featureNames: ['x', 'y'], columns: [[1, 2, 3, 4], [5, null, 7, 8]] },
    image: { kind: 'image', shapes: [[1, 3, 2, 2], [2, 3, 2, 2], [1, 3, 2, 2]], brightness: [0.1, 0.2, 0.3, 0.4] },
    vector: { kind: 'tensor', shapes: [[1, 5], [2, 5], [1, 5]], mean: [1, 2, 3, 4], std: [0, 1, 0, 1], min: [0, 0, 0, 0], max: [9, 9, 9, 9] },
    text: { kind: 'other', shapes: [[1], [2], [1]], datatype: 'BYTES' },
  },
  outputs: { rows: [1, null, 1], classes: [0, 1], confidence: [0.9, 0.8], labels: ['p', 'q'], nonFinite: [null, null, 2] },
};

describe('windowItemsOfBatch', () => {
  it('gives the items the expanded entries give, one per prediction, in order', () => {
    assert.deepEqual(windowItemsOfBatch(batch), expandLogBatch(batch).map(windowItemOf));
    assert.deepEqual(windowItemsOfBatch(batch).map((item) => item.f.x), [[1], [2, 3], [4]]);
  });

  it('a classifier without confidence and a batch without outputs', () => {
    const noConfidence = { ...batch, outputs: { rows: [1, 2, 1], classes: [0, 1, 1, 0] } };
    assert.deepEqual(windowItemsOfBatch(noConfidence), expandLogBatch(noConfidence).map(windowItemOf));
    const { outputs: _, ...noOutputs } = batch;
    assert.deepEqual(windowItemsOfBatch(noOutputs), expandLogBatch(noOutputs).map(windowItemOf));
  });
});
