/**
 * Issue 9 A.1: Redis out of memory must not lose the "every accepted prediction ends" guarantee.
 * A test-started redis-server gets `maxmemory` a little above its use (`noeviction`); iris
 * predictions are submitted by 16 clients until Redis refuses writes; then the limit is raised.
 * Before the fix the API answered QUEUE_UNAVAILABLE, readiness stayed 200, and predictions whose
 * outcome the worker could not write stayed `queued`/`running` for good. Now: new work gets
 * 503 QUEUE_OUT_OF_MEMORY with Retry-After, readiness is 503, the worker keeps each outcome it could
 * not write and retries until it can, and once memory is back every accepted prediction ends by
 * itself. A prediction left unfinished with its job in the dead letters can be retried.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { FINAL_STATUSES, predictionQueueName, redisKeys, type PredictionStatus } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection, isOutOfMemoryError, waitUntilReady } from '@inferq/redis';
import { PredictionStore } from '@inferq/predictions';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const CLIENTS = 16;
const MAX_SUBMISSIONS = 20_000;
const FILL_MS = 60_000;
const RECOVER_MS = 90_000;
const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

/** Resolves once `condition` holds, checking every 50 ms for at most `timeoutMs`. */
async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis out of memory (real redis-server with maxmemory, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let admin: Redis;
  let repo: string;

  before(async () => {
    redis = await startTestRedis();
    admin = createRedisConnection(redis.url, 'worker');
    await waitUntilReady(admin);
    // iris waits up to 100 ms to fill a batch, so the worker has predictions in hand when Redis
    // starts refusing writes and must hold on to their outcomes.
    repo = mkdtempSync(join(tmpdir(), 'inferq-oom-'));
    cpSync(join(MODELS_DIR, 'iris'), join(repo, 'iris'), { recursive: true });
    const configPath = join(repo, 'iris', '1', 'config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), maxQueueDelayMs: 100 }));
  });
  after(async () => {
    await admin?.config('SET', 'maxmemory', '0').catch(() => {});
    await admin?.quit();
    await redis?.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('refuses new work with 503 and Retry-After, goes unready, and ends every accepted prediction once memory is back', async (t) => {
    const stack = await startInProcessStack(redis.url, { env: { MODEL_REPOSITORY: repo } });
    try {
      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', String(used + 1024 * 1024));

      const accepted: string[] = [];
      const others = new Map<string, number>();
      let refusal: { statusCode: number; retryAfter: string | undefined; code: string } | undefined;
      const deadline = Date.now() + FILL_MS;
      let sent = 0;
      await Promise.all(Array.from({ length: CLIENTS }, async () => {
        while (!refusal && sent < MAX_SUBMISSIONS && Date.now() < deadline) {
          sent++;
          const res = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body });
          if (res.statusCode === 202) accepted.push(res.json().id);
          else if (res.json().error?.code === 'QUEUE_OUT_OF_MEMORY') refusal = { statusCode: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined, code: res.json().error.code };
          else others.set(`${res.statusCode} ${res.json().error?.code}`, (others.get(`${res.statusCode} ${res.json().error?.code}`) ?? 0) + 1);
        }
      }));
      assert.ok(refusal, `Redis never refused a write in ${sent} submissions (${accepted.length} accepted; others: ${JSON.stringify([...others])})`);
      assert.equal(refusal.statusCode, 503);
      assert.ok(Number(refusal.retryAfter) >= 1, `Retry-After: ${refusal.retryAfter}`);
      assert.deepEqual([...others], [], 'no other error while filling up');
      assert.ok(accepted.length > 0);

      // Hold Redis in that state (memory could dip under the limit again as keys expire or
      // streams trim): a limit well under its use refuses every write until it is raised.
      const usedNow = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
      await admin.config('SET', 'maxmemory', String(Math.max(1, usedNow - 1024 * 1024)));
      const ready = await stack.app.inject({ method: 'GET', url: '/v2/health/ready' });
      assert.equal(ready.statusCode, 503, 'not ready while Redis refuses writes');
      const worker = stack.workers[0]!;
      // The worker keeps the outcomes it could not write and tries again with back-off
      // (100, 200, 400 ms, …): wait until it has been refused a few times.
      await until(() => worker.outcomeCounters.refusedWrites >= 4, 20_000, 'the worker to be refused outcome writes a few times');

      await admin.config('SET', 'maxmemory', '0');
      const store = new PredictionStore(admin, redisKeys(stack.keyPrefix), 3_600);
      const statuses = new Map<string, PredictionStatus | undefined>();
      await until(async () => {
        const records = await store.getMany(accepted);
        accepted.forEach((id, i) => statuses.set(id, records[i]?.status));
        return [...statuses.values()].every((s) => s !== undefined && FINAL_STATUSES.has(s));
      }, RECOVER_MS, 'every accepted prediction to end');

      const count = (s: PredictionStatus) => [...statuses.values()].filter((v) => v === s).length;
      const missing = [...statuses.values()].filter((v) => v === undefined).length;
      assert.equal(missing, 0);
      assert.equal(count('completed') + count('failed'), accepted.length, JSON.stringify({ accepted: accepted.length, completed: count('completed'), failed: count('failed'), expired: count('expired') }));
      t.diagnostic(JSON.stringify({ sent, accepted: accepted.length, completed: count('completed'), failed: count('failed'), missing, ...worker.outcomeCounters }));
      assert.ok(worker.outcomeCounters.recoveredWrites > 0, 'outcomes refused earlier were written once memory was back');
      const deadLetters = await stack.app.inject({ method: 'GET', url: '/v1/models/iris/failed' });
      assert.equal(deadLetters.json().total, 0, `no job failed because a write was refused: ${deadLetters.body}`);
      assert.equal((await stack.app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode, 200);
      assert.equal((await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body })).statusCode, 202);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await stack.close();
    }
  });

  it('removes a record whose job Redis refused, even while out of memory', async () => {
    const keys = redisKeys(`oom-remove-${Date.now()}`);
    const store = new PredictionStore(admin, keys, 3_600);
    const ref = { id: 'p1', model: 'iris' };
    await store.create({ ...ref, version: '1', createdAt: 1 });
    assert.equal(await store.queuedCount('iris'), 1);
    await admin.config('SET', 'maxmemory', '1'); // every write that could grow memory is refused
    try {
      // The refusal comes back as EXECABORT carrying the OOM error, which is how the API tells it.
      await assert.rejects(store.create({ id: 'p2', model: 'iris', version: '1', createdAt: 1 }), (error) => isOutOfMemoryError(error));
      await store.remove(ref);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    assert.equal(await store.get(ref.id), undefined);
    assert.equal(await store.queuedCount('iris'), 0);
  });

  it('retries a prediction left queued whose job is a dead letter (its failure was never recorded)', async () => {
    const stack = await startInProcessStack(redis.url, { workers: 0 });
    const connection = createRedisConnection(redis.url, 'worker');
    // A consumer that fails the job without recording anything: what a worker that could not
    // write the failure leaves behind.
    const failing = new Worker(predictionQueueName('iris'), async () => { throw new UnrecoverableError('could not record failure'); }, { connection, prefix: stack.keyPrefix });
    let workerApp: Awaited<ReturnType<typeof startWorkerApp>> | undefined;
    try {
      const failed = new Promise<void>((resolve) => failing.once('failed', () => resolve()));
      const submitted = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: body });
      assert.equal(submitted.statusCode, 202);
      const { id } = submitted.json();
      await failed;
      await failing.close();
      assert.equal((await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` })).json().status, 'queued');

      const retried = await stack.app.inject({ method: 'POST', url: `/v1/predictions/${id}/retry` });
      assert.equal(retried.statusCode, 202, retried.body);
      workerApp = await startWorkerApp(loadWorkerConfig({
        REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', WORKER_ID: `retry-${stack.keyPrefix}`, DEVICE: 'cpu',
      }), createLogger('test', 'silent'));
      const done = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=20000` });
      assert.equal(done.json().status, 'completed', done.body);
      const again = await stack.app.inject({ method: 'POST', url: `/v1/predictions/${id}/retry` });
      assert.equal(again.statusCode, 409, 'a completed prediction is not retried');
    } finally {
      await failing.close();
      await workerApp?.close();
      await stack.close();
      await connection.quit();
    }
  });
});
