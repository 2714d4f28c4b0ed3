/**
 * Claim check: a large request's tensors are stored once as raw bytes under their own key; the
 * BullMQ job only references them, the worker reads them, and they are deleted on completion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { predictionQueueName } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, seededRandom, textLineImages } from '../helpers/models.js';

describe('claim check for large tensors (real Redis, BullMQ, worker)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let probe: Redis;
  let worker: WorkerApp | undefined;
  const image = textLineImages(seededRandom(9), 2);

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0, env: { CLAIM_CHECK_BYTES: '65536' } });
    probe = new Redis(redis.url);
  });
  after(async () => {
    await worker?.close();
    await stack?.close();
    probe?.disconnect();
    await redis?.dispose();
  });

  it('stores the bytes once beside a small job, runs from them, and deletes them when done', async () => {
    const submitted = await stack.app.inject({
      method: 'POST', url: '/v1/models/text-orientation/predictions',
      payload: { inputs: [{ name: 'x', shape: [2, 3, 48, 192], datatype: 'FP32', data: image }] },
    });
    assert.equal(submitted.statusCode, 202, submitted.body);
    const { id } = submitted.json();
    const payloadKey = `${stack.keyPrefix}:payload:${id}`;
    assert.equal(await probe.strlen(payloadKey), 2 * 3 * 48 * 192 * 4, 'raw float32 bytes, stored once');

    const connection = probe.duplicate();
    const queue = new Queue(predictionQueueName('text-orientation'), { connection, prefix: stack.keyPrefix });
    try {
      const job = await queue.getJob(id);
      assert.ok(job, 'job queued');
      assert.ok(JSON.stringify(job.data).length < 1_000, `job data is small (${JSON.stringify(job.data).length} bytes)`);
      assert.equal(job.data.payloadKey, payloadKey);
      assert.deepEqual(job.data.inputs[0].claim, { offset: 0, length: 2 * 3 * 48 * 192 * 4 });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    worker = await startWorkerApp(loadWorkerConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: 'claim-w',
    }), createLogger('test', 'silent'));
    const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=20000` })).json();
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    const direct = await (await DirectModel.load('text-orientation')).run('x', image, [2, 3, 48, 192]);
    assert.deepEqual(record.result.outputs[0].data, direct['softmax_0.tmp_0']);
    assert.equal(await probe.exists(payloadKey), 0, 'payload deleted after completion');
  });

  it('keeps small requests inline (base64 in the job, no payload key)', async () => {
    const submitted = await stack.app.inject({
      method: 'POST', url: '/v1/models/iris/predictions',
      payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] },
    });
    const { id } = submitted.json();
    assert.equal(await probe.exists(`${stack.keyPrefix}:payload:${id}`), 0);
    const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=20000` })).json();
    assert.equal(record.status, 'completed');
  });
});
