/**
 * Batching settings change at run time, without a restart: PUT .../batching reaches the worker
 * and its next batches follow the new settings; DELETE returns to config.json.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_BATCH_SIZE } from '@inferq/contract';
import { parseModelConfig } from '@inferq/model-repository';
import { startRedisBackedStack, type RedisBackedStack } from '../helpers/in-process-stack.js';
import { irisRows, seededRandom } from '../helpers/models.js';

describe('run-time batching settings (real Redis, worker)', () => {
  let stack: RedisBackedStack;
  const random = seededRandom(11);
  const url = '/v1/models/iris/versions/1/batching';

  /** Fires `n` single-row predictions at once; returns the batch sizes they ran in. */
  const burst = async (n: number): Promise<number[]> => {
    const accepted = await Promise.all(Array.from({ length: n }, () => stack.app.inject({
      method: 'POST', url: '/v1/models/iris/predictions',
      payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: irisRows(random, 1) }] },
    })));
    const records = await Promise.all(accepted.map((a) => stack.app.inject({ method: 'GET', url: `/v1/predictions/${a.json().id}?wait=10000` })));
    return records.map((r) => r.json().timings.batchSize as number);
  };

  before(async () => {
    stack = await startRedisBackedStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('reports the config.json settings at first', async () => {
    const res = await stack.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { maxBatchSize: 64, maxQueueDelayMs: 0, preferredBatchSizes: [], adaptive: false, source: 'config' });
  });

  it('refuses bad settings with INVALID_REQUEST naming the field, and unknown versions with 404', async () => {
    for (const [body, field] of [[{ maxBatchSize: 0 }, 'maxBatchSize'], [{ maxQueueDelayMs: -1 }, 'maxQueueDelayMs'], [{ adaptive: 'yes' }, 'adaptive'], [{ maxBatch: 2 }, 'maxBatch']] as const) {
      const res = await stack.app.inject({ method: 'PUT', url, payload: body });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'INVALID_REQUEST');
      assert.match(res.json().error.message, new RegExp(field));
    }
    // The limits are config.json's (one schema in the contract): the same sentence for the same field.
    const tooLarge = await stack.app.inject({ method: 'PUT', url, payload: { maxBatchSize: MAX_BATCH_SIZE + 1 } });
    assert.equal(tooLarge.json().error.message, `"maxBatchSize" must be an integer in [1, ${MAX_BATCH_SIZE}]`);
    assert.throws(() => parseModelConfig({ maxBatchSize: MAX_BATCH_SIZE + 1 }, 'config.json'), new RegExp(`"maxBatchSize" must be an integer in \\[0, ${MAX_BATCH_SIZE}\\]`));
    assert.equal((await stack.app.inject({ method: 'PUT', url, payload: [1] })).json().error.message, 'body must be a JSON object of batching settings');
    const missing = await stack.app.inject({ method: 'PUT', url: '/v1/models/iris/versions/9/batching', payload: {} });
    assert.equal(missing.statusCode, 404);
  });

  it('applies maxBatchSize 1 to the next batches, then a queue delay that gathers a burst into one batch', async () => {
    const one = await stack.app.inject({ method: 'PUT', url, payload: { maxBatchSize: 1 } });
    assert.equal(one.statusCode, 200, one.body);
    assert.equal(one.json().source, 'runtime');
    let sizes: number[] = [];
    // The worker applies the change when the announcement arrives: probe a bounded number of times.
    for (let attempt = 0; attempt < 20; attempt++) {
      sizes = await burst(12);
      if (sizes.every((s) => s === 1)) break;
    }
    assert.deepEqual(sizes, new Array(12).fill(1));

    const gather = await stack.app.inject({ method: 'PUT', url, payload: { maxBatchSize: 64, maxQueueDelayMs: 300 } });
    assert.deepEqual(gather.json(), { maxBatchSize: 64, maxQueueDelayMs: 300, preferredBatchSizes: [], adaptive: false, source: 'runtime' });
    for (let attempt = 0; attempt < 20; attempt++) {
      sizes = await burst(12);
      if (sizes.every((s) => s === 12)) break;
    }
    assert.deepEqual(sizes, new Array(12).fill(12), 'a 300 ms delay gathers the whole burst');

    const reset = await stack.app.inject({ method: 'DELETE', url });
    assert.equal(reset.json().source, 'config');
    assert.equal((await stack.app.inject({ method: 'GET', url })).json().source, 'config');
  });
});
