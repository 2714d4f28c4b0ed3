import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRedisBackedStack, type RedisBackedStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom } from '../helpers/models.js';

describe('REST submit → worker → poll (in-process stack, real Redis)', () => {
  let stack: RedisBackedStack;
  before(async () => {
    stack = await startRedisBackedStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('answers 202 with Location, then the long-poll returns the same result as direct inference', async () => {
    const data = irisRows(seededRandom(1), 3);
    const submitted = await stack.app.inject({
      method: 'POST', url: '/v1/models/iris/predictions',
      payload: { inputs: [{ name: 'features', shape: [3, 4], datatype: 'FP32', data }] },
    });
    assert.equal(submitted.statusCode, 202);
    const accepted = submitted.json();
    assert.equal(submitted.headers.location, `/v1/predictions/${accepted.id}`);
    assert.deepEqual({ status: accepted.status, model: accepted.model, version: accepted.version }, { status: 'queued', model: 'iris', version: '1' });

    const polled = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${accepted.id}?wait=10000` });
    assert.equal(polled.statusCode, 200);
    const record = polled.json();
    assert.equal(record.status, 'completed');
    const direct = await (await DirectModel.load('iris')).run('features', data, [3, 4]);
    const probabilities = record.result.outputs.find((o: { name: string }) => o.name === 'probabilities');
    assert.deepEqual(probabilities.shape, [3, 3]);
    assert.deepEqual(probabilities.data, direct.probabilities);
    assert.deepEqual(record.result.outputs.find((o: { name: string }) => o.name === 'label').data, direct.label);
    assert.ok(record.timings.batchSize >= 3);
    assert.equal(typeof record.timings.queueWaitMs, 'number');
    assert.equal(typeof record.timings.inferenceMs, 'number');
  });
});
