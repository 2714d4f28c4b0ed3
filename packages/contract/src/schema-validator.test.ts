import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { batchingSettingsPatchValidator, MAX_BATCH_SIZE } from './batching.js';
import { modelConfigValidator } from './model-config.js';
import { compileValidator, ERROR_MESSAGE, StringEnum } from './schema-validator.js';
import { MAX_SUBSCRIBE_IDS, wsPredictValidator, wsSubscribeValidator } from './ws-messages.js';

const message = (validator: { explain(value: unknown): { message: string } | undefined }, value: unknown) => validator.explain(value)?.message;

describe('compileValidator', () => {
  const schema = Type.Object({
    name: Type.String({ [ERROR_MESSAGE]: 'must be a string' }),
    sizes: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { [ERROR_MESSAGE]: 'must be an array of positive integers' })),
    items: Type.Optional(Type.Array(Type.Object({ id: Type.String({ [ERROR_MESSAGE]: 'must be a string' }) }, { additionalProperties: false, [ERROR_MESSAGE]: 'must be an object' }))),
    kind: Type.Optional(StringEnum(['a', 'b'])),
  }, { additionalProperties: false, [ERROR_MESSAGE]: 'must be a JSON object' });
  const validator = compileValidator(schema);

  it('accepts what the schema allows', () => {
    const value = { name: 'x', sizes: [1, 2], items: [{ id: 'i' }], kind: 'b' };
    assert.equal(validator.check(value), true);
    assert.equal(validator.explain(value), undefined);
  });

  it('names a top-level field in quotes and a nested one as a path', () => {
    assert.equal(message(validator, { name: 3 }), '"name" must be a string');
    assert.equal(message(validator, { name: 'x', items: [{ id: 'i' }, { id: 4 }] }), 'items[1].id must be a string');
  });

  it('lets an array\'s message cover its elements, an object\'s only the object itself', () => {
    assert.equal(message(validator, { name: 'x', sizes: [1, 0] }), '"sizes" must be an array of positive integers');
    assert.equal(message(validator, { name: 'x', items: ['i'] }), 'items[0] must be an object');
    assert.equal(message(validator, [1]), 'must be a JSON object');
  });

  it('names unknown fields and lists the known ones', () => {
    assert.equal(message(validator, { name: 'x', nmae: 1 }), 'unknown field "nmae" (known: name, sizes, items, kind)');
    assert.equal(message(validator, { name: 'x', items: [{ id: 'i', ID: 1 }] }), 'items[0]: unknown field "ID" (known: id)');
  });

  it('reports the earliest field in declaration order, not a later missing one first', () => {
    assert.equal(message(validator, { kind: 'c', name: 3 }), '"name" must be a string');
  });

  it('checks a StringEnum against its values, and publishes it as an OpenAPI 3.0 enum', () => {
    assert.equal(validator.check({ name: 'x', kind: 'c' }), false);
    assert.match(message(validator, { name: 'x', kind: 'c' }) ?? '', /^"kind" /);
    assert.deepEqual(JSON.parse(JSON.stringify(StringEnum(['a', 'b']))), { type: 'string', enum: ['a', 'b'] });
  });
});

describe('the contract\'s messages', () => {
  it('WebSocket predict: the envelope\'s fields by name, the request by the inference request schema', () => {
    const request = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] };
    assert.equal(wsPredictValidator.explain({ type: 'predict', model: 'iris', request, ref: 7 }), undefined, 'a non-string ref is ignored, not refused');
    assert.equal(message(wsPredictValidator, { type: 'predict', model: 3, request }), '"model" must be a string');
    assert.equal(message(wsPredictValidator, { type: 'predict', model: 'iris', version: 1, request }), '"version" must be a string');
    assert.deepEqual(wsPredictValidator.explain({ type: 'predict', model: 'iris' })?.path, ['request']);
    const datatype = wsPredictValidator.explain({ type: 'predict', model: 'iris', request: { inputs: [{ name: 'x', shape: [1], datatype: 'FP33' }] } });
    assert.deepEqual(datatype?.path, ['request', 'inputs', '0', 'datatype']);
    assert.match(datatype?.message ?? '', /^request\.inputs\[0\]\.datatype must be one of BOOL, .*FP32/);
  });

  it('WebSocket subscribe: at most MAX_SUBSCRIBE_IDS string ids', () => {
    assert.equal(wsSubscribeValidator.check({ type: 'subscribe', ids: Array.from({ length: MAX_SUBSCRIBE_IDS }, () => 'x') }), true);
    for (const ids of ['abc', [42], Array.from({ length: MAX_SUBSCRIBE_IDS + 1 }, () => 'x')]) {
      assert.equal(message(wsSubscribeValidator, { type: 'subscribe', ids }), `"ids" must be an array of at most ${MAX_SUBSCRIBE_IDS} strings`);
    }
  });

  it('one maxBatchSize limit for config.json and run-time changes (0 only in config.json: batching off)', () => {
    assert.equal(modelConfigValidator.check({ maxBatchSize: MAX_BATCH_SIZE }), true);
    assert.equal(modelConfigValidator.check({ maxBatchSize: MAX_BATCH_SIZE + 1 }), false);
    assert.equal(modelConfigValidator.check({ maxBatchSize: 0 }), true);
    assert.equal(batchingSettingsPatchValidator.check({ maxBatchSize: MAX_BATCH_SIZE }), true);
    assert.equal(message(batchingSettingsPatchValidator, { maxBatchSize: MAX_BATCH_SIZE + 1 }), `"maxBatchSize" must be an integer in [1, ${MAX_BATCH_SIZE}]`);
    assert.equal(message(batchingSettingsPatchValidator, { maxBatchSize: 0 }), `"maxBatchSize" must be an integer in [1, ${MAX_BATCH_SIZE}]`);
    assert.equal(message(batchingSettingsPatchValidator, { maxBatch: 2 }), 'unknown field "maxBatch" (known: maxBatchSize, maxQueueDelayMs, preferredBatchSizes, adaptive)');
  });
});
