import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionFinalEvent } from '@inferq/contract';
import { eventJson, FinalWriteBuilder } from './final-write.js';

const worker = { id: 'w1', device: 'cpu' };
const completed = (id: string): PredictionFinalEvent => ({
  id, model: 'iris', version: '2', createdAt: 5, status: 'completed', worker, origin: 'api-1', route: 'canary', timings: { totalMs: 1.5 },
  result: { model_name: 'iris', id, outputs: [{ name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 1e-7] }] },
});

describe('final writes', () => {
  it('announce the same event the record holds, its result text shared with the hash field', () => {
    const build = new FinalWriteBuilder();
    const event = completed('a');
    const { fields, resultJson } = build.fields(event);
    const hash = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]));
    assert.deepEqual(hash, {
      status: 'completed', model: 'iris', version: '2', createdAt: '5', timings: '{"totalMs":1.5}',
      result: JSON.stringify(event.result), worker: JSON.stringify(worker), route: 'canary',
    });
    assert.deepEqual(JSON.parse(eventJson(event, resultJson)), event);
    assert.equal(build.fields(completed('b')).fields[fields.indexOf('worker') + 1], JSON.stringify(worker));
  });

  it('announce failures (no result) as they are', () => {
    const { result: _result, ...rest } = completed('c');
    const failed: PredictionFinalEvent = { ...rest, status: 'failed', error: { code: 'INFERENCE_FAILED', message: 'x' } };
    const { fields, resultJson } = new FinalWriteBuilder().fields(failed);
    assert.equal(resultJson, undefined);
    assert.ok(fields.includes('error') && !fields.includes('result'));
    assert.deepEqual(JSON.parse(eventJson(failed, resultJson)), failed);
  });
});
