import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { finalEventText } from '@inferq/predictions';
import { resultPushText } from './ws-result-text.js';

const completed: PredictionFinalEvent = {
  id: 'p1', model: 'iris', version: '2', createdAt: 5, worker: { id: 'w', device: 'cpu' }, origin: 'api', route: 'weight',
  status: 'completed', result: { model_name: 'iris', id: 'p1', outputs: [{ name: 'label', shape: [1], datatype: 'INT64', data: [1] }] },
  timings: { totalMs: 3, batchSize: 2 },
};
const push = (event: PredictionFinalEvent) => resultPushText(event, finalEventText(event));

describe('result push spliced from the announced text', () => {
  it('carries every documented field with the same values, and never origin', () => {
    const { origin: _origin, ...rest } = completed;
    assert.deepEqual(JSON.parse(push(completed)!), { type: 'result', ...rest });
  });

  it('carries a failure and its error', () => {
    const failed: PredictionFinalEvent = { ...completed, status: 'failed', result: undefined, error: { code: 'INFERENCE_FAILED', message: 'x' } };
    const { origin: _origin, result: _result, ...rest } = failed;
    assert.deepEqual(JSON.parse(push(failed)!), { type: 'result', ...rest });
  });

  it('is not used without a text, for a member not to push, or an outcome missing its result or error', () => {
    assert.equal(resultPushText(completed, undefined), undefined);
    assert.equal(push({ ...completed, shadowOf: 'p0' }), undefined);
    assert.equal(push({ ...completed, owner: 'k1' }), undefined);
    assert.equal(push({ ...completed, result: undefined }), undefined);
    assert.equal(push({ ...completed, status: 'expired', result: undefined }), undefined);
    assert.equal(push({ ...completed, cached: false }), undefined);
    assert.equal(resultPushText(completed, JSON.stringify(completed)), undefined, 'origin not last');
  });
});
