/**
 * Failures against a real Redis, BullMQ and onnxruntime:
 * - Poison input: a lookup model (see helpers/lookup-model.ts) fails on ids outside its table.
 *   Valid and bad requests of the same shape share one batch; the batch is bisected down to
 *   single jobs, the bad ones end `failed` INFERENCE_FAILED after one attempt (not retried), every
 *   valid neighbour gets its exact result.
 * - Dead letters: `GET /v1/models/:model/failed` lists them; `POST /v1/predictions/:id/retry`
 *   re-queues one with its original input (here: jobs that failed on a worker deployed without
 *   the version they asked for, then retried once a worker has it).
 * - Transient errors retry with exponential backoff and succeed; ones that never pass end
 *   WORKER_FAILED after the last attempt.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  newPredictionId, predictionQueueName, redisKeys, PREDICTION_JOB_NAME,
  type PredictionJobData, type PredictionRecord,
} from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { loadModelRepository } from '@inferq/model-repository';
import { createRedisConnection } from '@inferq/redis';
import { PredictionStore } from '@inferq/predictions';
import { createPredictionWorker, PREDICTION_JOB_OPTIONS } from '@inferq/queue';
import { encodeTensor } from '@inferq/tensor';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { ModelVersionServer } from '../../apps/worker/src/model-version-server.js';
import { OnnxSession } from '../../apps/worker/src/onnx-session.js';
import { OutcomeRecorder } from '../../apps/worker/src/outcome-recorder.js';
import { createPredictionHandler } from '../../apps/worker/src/prediction-processor.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { LOOKUP_ROWS, lookupEmbedding, writeLookupModel } from '../helpers/lookup-model.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;
const logger = createLogger('test', 'silent');

const lookupRequest = (id: number) => ({ inputs: [{ name: 'ids', shape: [1, 1], datatype: 'INT64', data: [id] }] });

describe('poison input, dead letters and retries (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let root: string;

  before(async () => {
    redis = await startTestRedis();
    root = mkdtempSync(join(tmpdir(), 'inferq-dead-letters-'));
  });
  after(async () => {
    await redis?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  describe('poison in a batch, listing and retrying dead letters', () => {
    let stack: InProcessStack;
    const workers: WorkerApp[] = [];
    // The API serves versions 1 and 2; the first worker is deployed from an older repository
    // with version 1 only. Version 1 waits up to 300 ms to fill its batch, so the 16 requests
    // queued before the worker starts share one batch.
    const apiRepo = () => join(root, 'api');
    const oldRepo = () => join(root, 'old');
    const VALID = 12;
    const POISON_IDS = [10, 11, 12, 13];

    const startWorker = async (repository: string, id: string) => {
      const worker = await startWorkerApp(loadWorkerConfig({
        REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: repository, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: id,
      }), logger);
      workers.push(worker);
      return worker;
    };
    const waitFinal = async (id: string): Promise<PredictionRecord> => {
      const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
      const record = response.json() as PredictionRecord;
      assert.ok(['completed', 'failed'].includes(record.status), `${id} ended: ${response.body.slice(0, 300)}`);
      return record;
    };
    const submit = async (url: string, body: Record<string, unknown>): Promise<string> => {
      const response = await stack.app.inject({ method: 'POST', url, payload: body });
      assert.equal(response.statusCode, 202, response.body);
      return response.json().id;
    };

    const cases: Array<{ id: string; lookup: number; poison: boolean }> = [];
    const v2Ids: string[] = [];

    before(async () => {
      writeLookupModel(apiRepo(), 'lookup', { maxBatchSize: 16, maxQueueDelayMs: 300 });
      cpSync(join(apiRepo(), 'lookup', '1'), join(apiRepo(), 'lookup', '2'), { recursive: true });
      cpSync(join(apiRepo(), 'lookup', '1'), join(oldRepo(), 'lookup', '1'), { recursive: true });
      stack = await startInProcessStack(redis.url, { workers: 0, env: { MODEL_REPOSITORY: apiRepo() } });
      // Valid and poison interleaved: 0 1 2 [10] 3 4 5 [11] …
      let valid = 0;
      for (let i = 0; i < VALID + POISON_IDS.length; i++) {
        const poison = i % 4 === 3;
        const lookup = poison ? POISON_IDS[(i - 3) / 4]! : valid++ % LOOKUP_ROWS;
        cases.push({ id: await submit('/v1/models/lookup/versions/1/predictions', lookupRequest(lookup)), lookup, poison });
      }
      for (const lookup of [4, 5]) v2Ids.push(await submit('/v1/models/lookup/versions/2/predictions', lookupRequest(lookup)));
      await startWorker(oldRepo(), 'old-worker');
    });
    after(async () => {
      for (const worker of workers) await worker.close();
      await stack?.close();
    });

    it('isolates the bad inputs of a shared batch: they fail INFERENCE_FAILED, their neighbours complete', async () => {
      const records = await Promise.all(cases.map((c) => waitFinal(c.id)));
      const batchStarts = new Set(records.map((r) => r.createdAt + (r.timings.queueWaitMs ?? NaN)));
      assert.equal(batchStarts.size, 1, 'all 16 started in one batch (one batch start time)');
      for (const [i, c] of cases.entries()) {
        const record = records[i]!;
        if (c.poison) {
          assert.equal(record.status, 'failed', JSON.stringify(record));
          assert.equal(record.error?.code, 'INFERENCE_FAILED');
          assert.match(record.error?.message ?? '', new RegExp(`indices element out of data bounds, idx=${c.lookup}`));
          assert.equal(record.timings.batchRequests, 1, 'failed alone after bisection');
        } else {
          assert.equal(record.status, 'completed', JSON.stringify(record.error));
          assert.deepEqual(record.result?.outputs[0]?.data, lookupEmbedding(c.lookup));
          assert.ok((record.timings.batchRequests ?? 0) < cases.length, 'completed in a part of the bisected batch');
        }
      }
    });

    it('fails jobs for a version the worker does not have, without retrying', async () => {
      for (const id of v2Ids) {
        const record = await waitFinal(id);
        assert.equal(record.status, 'failed');
        assert.equal(record.error?.code, 'VERSION_NOT_FOUND');
      }
    });

    it('lists the dead letters of a model with their error, attempts and time, newest first', async () => {
      const response = await stack.app.inject({ method: 'GET', url: '/v1/models/lookup/failed?limit=100' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as { model: string; total: number; failed: Array<{ id: string; version: string; error: { code: string; message: string }; attemptsMade: number; failedAt: number }> };
      assert.equal(body.model, 'lookup');
      assert.equal(body.total, POISON_IDS.length + v2Ids.length, JSON.stringify(body.failed.map((f) => [f.id, f.error.code, f.attemptsMade])));
      const byId = new Map(body.failed.map((f) => [f.id, f]));
      for (const c of cases.filter((x) => x.poison)) {
        const entry = byId.get(c.id);
        assert.ok(entry, `${c.id} listed`);
        assert.equal(entry.error.code, 'INFERENCE_FAILED');
        assert.equal(entry.attemptsMade, 1, 'an input error is not retried');
        assert.equal(entry.version, '1');
      }
      for (const id of v2Ids) assert.equal(byId.get(id)?.error.code, 'VERSION_NOT_FOUND');
      const times = body.failed.map((f) => f.failedAt);
      assert.ok(times.every((t) => t > Date.now() - 60_000 && t <= Date.now()));
      assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');

      const limited = (await stack.app.inject({ method: 'GET', url: '/v1/models/lookup/failed?limit=2' })).json() as typeof body;
      assert.equal(limited.failed.length, 2);
      assert.equal(limited.total, body.total);
      for (const [url, status, code] of [
        ['/v1/models/nope/failed', 404, 'MODEL_NOT_FOUND'],
        ['/v1/models/lookup/failed?limit=0', 400, 'INVALID_REQUEST'],
        ['/v1/models/lookup/failed?limit=abc', 400, 'INVALID_REQUEST'],
      ] as const) {
        const refused = await stack.app.inject({ method: 'GET', url });
        assert.equal(refused.statusCode, status, url);
        assert.equal(refused.json().error.code, code, url);
      }
    });

    it('re-queues a dead letter with its original input: it completes once a worker has its version', async () => {
      await workers.shift()!.close();
      await startWorker(apiRepo(), 'new-worker');
      for (const [k, id] of v2Ids.entries()) {
        const response = await stack.app.inject({ method: 'POST', url: `/v1/predictions/${id}/retry` });
        assert.equal(response.statusCode, 202, response.body);
        assert.equal(response.headers.location, `/v1/predictions/${id}`);
        assert.deepEqual(response.json(), { id, status: 'queued', model: 'lookup', version: '2' });
        const record = await waitFinal(id);
        assert.equal(record.status, 'completed', JSON.stringify(record.error));
        assert.equal(record.error, undefined, 'the old error is gone');
        assert.deepEqual(record.result?.outputs[0]?.data, lookupEmbedding(4 + k));
        assert.equal(record.worker?.id, 'new-worker');
      }
      const listing = (await stack.app.inject({ method: 'GET', url: '/v1/models/lookup/failed' })).json() as { total: number };
      assert.equal(listing.total, POISON_IDS.length, 'retried jobs left the dead letters');
    });

    it('a retried poison fails again, after one fresh attempt', async () => {
      const poison = cases.find((c) => c.poison)!;
      const response = await stack.app.inject({ method: 'POST', url: `/v1/predictions/${poison.id}/retry` });
      assert.equal(response.statusCode, 202, response.body);
      const record = await waitFinal(poison.id);
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'INFERENCE_FAILED');
      // The record is written before BullMQ moves the job to its failed set: read a bounded number of times.
      let listing = { total: 0, failed: [] as Array<{ id: string; attemptsMade: number }> };
      for (let attempt = 0; attempt < 100; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20));
        listing = (await stack.app.inject({ method: 'GET', url: '/v1/models/lookup/failed' })).json();
        if (listing.total === POISON_IDS.length) break;
      }
      assert.equal(listing.total, POISON_IDS.length);
      assert.equal(listing.failed.find((f) => f.id === poison.id)?.attemptsMade, 1, 'attempts were reset by the retry');
    });

    it('refuses to retry what is not a dead letter', async () => {
      const completed = cases.find((c) => !c.poison)!;
      for (const [url, status, code] of [
        [`/v1/predictions/${completed.id}/retry`, 409, 'PREDICTION_NOT_RETRYABLE'],
        [`/v1/predictions/${newPredictionId()}/retry`, 404, 'PREDICTION_NOT_FOUND'],
        ['/v1/predictions/not-an-id/retry', 400, 'INVALID_PREDICTION_ID'],
      ] as const) {
        const response = await stack.app.inject({ method: 'POST', url });
        assert.equal(response.statusCode, status, `${url}: ${response.body}`);
        assert.equal(response.json().error.code, code);
      }
    });
  });

  describe('transient errors', () => {
    let connection: Redis;
    let queue: Queue<PredictionJobData>;
    let worker: Worker | undefined;
    let store: PredictionStore;
    let outcomes: OutcomeRecorder;
    let server: ModelVersionServer;
    const prefix = `t${Date.now().toString(36)}`;

    before(async () => {
      const repo = join(root, 'transient');
      writeLookupModel(repo);
      const model = loadModelRepository(repo).repository.resolve('lookup');
      connection = createRedisConnection(redis.url, 'worker');
      store = new PredictionStore(connection, redisKeys(prefix), 3_600);
      const session = await OnnxSession.load(model.modelPath, { device: { kind: 'cpu', label: 'cpu' }, intraOpThreads: 1 }, logger);
      const identity = { id: 'transient-worker', device: 'cpu' };
      outcomes = new OutcomeRecorder(store, () => identity, logger);
      server = new ModelVersionServer(model, session, store, outcomes, identity, logger);
      queue = new Queue<PredictionJobData>(predictionQueueName('lookup'), { connection, prefix });
    });
    after(async () => {
      await worker?.close();
      await queue?.close();
      await connection?.quit();
    });

    /**
     * Runs the worker's real handler, prediction worker and outcome recorder on a model whose
     * lookup fails (like a session that cannot load yet) `failures` times.
     */
    const runFlaky = async (failures: number) => {
      await worker?.close();
      const calls: number[] = [];
      const lookup = async () => {
        calls.push(Date.now());
        if (calls.length <= failures) throw new Error(`session not ready (attempt ${calls.length})`);
        return server;
      };
      worker = createPredictionWorker('lookup', createPredictionHandler(lookup, outcomes), {
        connection, prefix, concurrency: 4, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1,
        requeue: async () => {},
        onGivenUp: (predictions, error) => void outcomes.record(predictions.map((p) => outcomes.failedEvent(p, error))),
      });
      const id = newPredictionId();
      const data: PredictionJobData = {
        id, model: 'lookup', version: '1', createdAt: Date.now(), origin: 'test',
        inputs: [encodeTensor({ name: 'ids', datatype: 'INT64', shape: [1, 1], data: BigInt64Array.from([3n]) })],
      };
      await store.create({ id, model: 'lookup', version: '1', createdAt: data.createdAt });
      await queue.add(PREDICTION_JOB_NAME, data, { ...PREDICTION_JOB_OPTIONS, jobId: id, priority: 500 });
      let record: PredictionRecord | undefined;
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline && !(record && ['completed', 'failed'].includes(record.status))) {
        await new Promise((r) => setTimeout(r, 50)); // bounded polling of the record in Redis
        record = await store.get(id);
      }
      return { id, record: record!, calls };
    };

    it('retries a transient failure with exponential backoff, then completes', async () => {
      const { record, calls } = await runFlaky(2);
      assert.equal(record.status, 'completed', JSON.stringify(record));
      assert.deepEqual(record.result?.outputs[0]?.data, lookupEmbedding(3));
      assert.equal(calls.length, 3, 'two failed attempts, then the one that worked');
      const delay = PREDICTION_JOB_OPTIONS.backoff as { delay: number };
      assert.ok(calls[1]! - calls[0]! >= delay.delay, `first backoff ${calls[1]! - calls[0]!} ms ≥ ${delay.delay}`);
      assert.ok(calls[2]! - calls[1]! >= 2 * delay.delay, `second backoff ${calls[2]! - calls[1]!} ms ≥ ${2 * delay.delay} (exponential)`);
    });

    it('gives up after the last attempt and records WORKER_FAILED with the cause', async () => {
      const { id, record, calls } = await runFlaky(Infinity);
      assert.equal(calls.length, PREDICTION_JOB_OPTIONS.attempts);
      assert.equal(record.status, 'failed');
      assert.equal(record.error?.code, 'WORKER_FAILED');
      assert.match(record.error?.message ?? '', /gave up after 3 attempts: session not ready \(attempt 3\)/);
      const job = await queue.getJob(id);
      assert.equal(await job?.getState(), 'failed', 'kept as a dead letter');
    });
  });
});
