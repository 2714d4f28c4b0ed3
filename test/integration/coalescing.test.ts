/**
 * Producer-side coalescing: predictions that arrive together share one queue job, yet each keeps
 * its own id, record, result and push; a prediction the model fails on leaves its bundle and
 * fails alone (INFERENCE_FAILED, listed as a dead letter) while its bundle-mates complete.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@inferq/logger';
import type { PredictionRecord } from '@inferq/contract';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { LOOKUP_ROWS, lookupEmbedding, writeLookupModel } from '../helpers/lookup-model.js';

const PREDICTIONS = 40;
const POISON = new Set([7, 23, 31]);

describe('coalescing concurrent predictions into bundle jobs (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let root: string;
  let stack: InProcessStack;
  let worker: WorkerApp | undefined;
  const ids: string[] = [];

  before(async () => {
    redis = await startTestRedis();
    root = mkdtempSync(join(tmpdir(), 'inferq-coalescing-'));
    writeLookupModel(root, 'lookup', { maxBatchSize: 64 });
    stack = await startInProcessStack(redis.url, { workers: 0, env: { MODEL_REPOSITORY: root, COALESCE_MAX_PREDICTIONS: '16' } });
  });
  after(async () => {
    await worker?.close();
    await stack?.close();
    await redis?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('queues 40 concurrent predictions as a few jobs of at most 16', async () => {
    const responses = await Promise.all(Array.from({ length: PREDICTIONS }, (_, i) => stack.app.inject({
      method: 'POST', url: '/v1/models/lookup/predictions',
      payload: { inputs: [{ name: 'ids', shape: [1, 1], datatype: 'INT64', data: [POISON.has(i) ? 50 + i : i % LOOKUP_ROWS] }] },
    })));
    for (const response of responses) {
      assert.equal(response.statusCode, 202, response.body);
      ids.push(response.json().id);
    }
    assert.equal(new Set(ids).size, PREDICTIONS, 'every prediction has its own id');
    const metrics = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    const queued = [...metrics.matchAll(/^inferq_queue_depth\{model="lookup",state="(?:waiting|prioritized)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.ok(queued >= Math.ceil(PREDICTIONS / 16) && queued < PREDICTIONS, `${queued} jobs for ${PREDICTIONS} predictions`);
    for (const id of ids) {
      const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` })).json();
      assert.equal(record.status, 'queued');
    }
  });

  it('completes each prediction with its own result; the poisoned ones fail alone and become dead letters', async () => {
    worker = await startWorkerApp(loadWorkerConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: root, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: 'coalesce-w',
    }), createLogger('test', 'silent'));
    const records = await Promise.all(ids.map(async (id) => (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=20000` })).json() as PredictionRecord));
    for (const [i, record] of records.entries()) {
      if (POISON.has(i)) {
        assert.equal(record.status, 'failed', JSON.stringify(record));
        assert.equal(record.error?.code, 'INFERENCE_FAILED');
        assert.equal(record.timings.batchRequests, 1, 'failed alone');
      } else {
        assert.equal(record.status, 'completed', JSON.stringify(record.error));
        assert.deepEqual(record.result?.outputs[0]?.data, lookupEmbedding(i % LOOKUP_ROWS));
        assert.equal(record.result?.id, ids[i]);
      }
    }
    // The record is written before BullMQ moves the job to its failed set: read a bounded number of times.
    let dead = { total: 0, failed: [] as Array<{ id: string }> };
    for (let attempt = 0; attempt < 100 && dead.total < POISON.size; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20));
      dead = (await stack.app.inject({ method: 'GET', url: '/v1/models/lookup/failed?limit=100' })).json();
    }
    assert.deepEqual(dead.failed.map((f) => f.id).sort(), [...POISON].map((i) => ids[i]!).sort());
  });
});
