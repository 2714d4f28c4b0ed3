/**
 * Worker life cycle against a real Redis, BullMQ and onnxruntime.
 * - Graceful shutdown: a worker closed while it computes finishes the jobs in hand and takes no
 *   more; what it left stays queued and a new worker on the same Redis and prefix completes it.
 *   No accepted prediction is lost, left `running`, or failed.
 * - Poison jobs (written to the queue directly, bypassing the API's validation) end `failed` with
 *   a clear code, are not retried, and the worker keeps serving valid requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  newPredictionId, predictionQueueName, redisKeys, PREDICTION_JOB_NAME,
  type EncodedTensor, type PredictionJobData, type WsServerMessage,
} from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection } from '@inferq/redis';
import { PredictionStore } from '@inferq/predictions';
import { PREDICTION_JOB_OPTIONS } from '@inferq/queue';
import type { WebSocket } from 'ws';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;
const JOBS = 100;
const TEXT_OUTPUT = 'softmax_0.tmp_0';

interface PredictionBody {
  id: string;
  status: string;
  result?: { outputs: Array<{ name: string; data: number[] }> };
  error?: { code: string; message: string };
  worker?: { id: string };
}

/** Resolves with the first value `subscribe` hands to its callback; rejects after `timeoutMs`. */
function firstEvent<T>(subscribe: (callback: (value: T) => void) => () => void, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = subscribe((value) => {
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

describe('worker life cycle (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.dispose();
  });

  const startWorker = (prefix: string, id: string, env: Record<string, string> = {}) => startWorkerApp(loadWorkerConfig({
    REDIS_URL: redis.url, KEY_PREFIX: prefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: id, ...env,
  }), createLogger('test', 'silent'));

  describe('graceful shutdown', () => {
    let stack: InProcessStack;
    const workers: WorkerApp[] = [];
    const inputs: number[][] = [];
    const ids: string[] = [];

    before(async () => {
      // No worker yet: every job is queued before the first worker starts.
      stack = await startInProcessStack(redis.url, { workers: 0 });
      const random = seededRandom(71);
      for (let i = 0; i < JOBS; i++) inputs.push(textLineImages(random, 1).map((v) => Math.round(v * 100) / 100));
      const responses = await Promise.all(inputs.map((data) => stack.app.inject({
        method: 'POST', url: '/v1/models/text-orientation/predictions',
        payload: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] },
      })));
      for (const response of responses) {
        assert.equal(response.statusCode, 202, response.body);
        ids.push(response.json().id);
      }
    });
    after(async () => {
      for (const worker of workers) await worker.close();
      await stack?.close();
    });

    const read = async (id: string): Promise<PredictionBody> => (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` })).json();
    const depth = async (state: string): Promise<number> => {
      const text = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
      const match = new RegExp(`^inferq_queue_depth\\{model="text-orientation",state="${state}"\\} (\\d+)$`, 'm').exec(text);
      assert.ok(match, `queue depth ${state}`);
      return Number(match[1]);
    };
    // Every prediction job carries a BullMQ priority, so queued jobs count as `prioritized`.
    const queuedDepth = async (): Promise<number> => (await depth('waiting')) + (await depth('prioritized'));

    it('a worker closed mid-stream finishes the jobs in hand, takes no more, and leaves the rest queued', async () => {
      assert.equal(await queuedDepth(), JOBS);
      // One job per fetch slot of the batch, so the worker holds at most 32 jobs at a time.
      const first = await startWorker(stack.keyPrefix, `first-${stack.keyPrefix}`, { BATCH_CONCURRENCY_FACTOR: '1' });
      workers.push(first);
      // Close as soon as the first result is out: the worker is in the middle of the stream.
      await firstEvent((callback) => stack.services.events.onAny(callback), WAIT_MS, 'first result');
      const closing = first.close();
      assert.equal(first.close(), closing, 'close is idempotent');
      await closing;

      const records = await Promise.all(ids.map(read));
      const byStatus = (status: string) => records.filter((r) => r.status === status);
      assert.equal(byStatus('running').length, 0, 'no job was abandoned mid-batch');
      assert.equal(byStatus('failed').length, 0, JSON.stringify(byStatus('failed')[0]));
      const completed = byStatus('completed');
      const queued = byStatus('queued');
      assert.equal(completed.length + queued.length, JOBS);
      assert.ok(completed.length >= 1, 'the jobs in hand were finished');
      assert.ok(queued.length >= 1, `the closed worker stopped taking jobs (completed ${completed.length})`);
      for (const record of completed) assert.equal(record.worker?.id, `first-${stack.keyPrefix}`);
      assert.equal(await depth('active'), 0, 'nothing left locked by the closed worker');
      assert.equal(await queuedDepth(), queued.length, 'every queued prediction still has its job');
    });

    it('a new worker on the same Redis and prefix completes everything left, and every result is right', async () => {
      const leftBehind = new Set((await Promise.all(ids.map(read))).filter((r) => r.status === 'queued').map((r) => r.id));
      workers.push(await startWorker(stack.keyPrefix, `second-${stack.keyPrefix}`));
      const text = await DirectModel.load('text-orientation');
      for (const [i, id] of ids.entries()) {
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
        const record = response.json() as PredictionBody;
        assert.equal(record.status, 'completed', response.body.slice(0, 300));
        if (leftBehind.has(id)) assert.equal(record.worker?.id, `second-${stack.keyPrefix}`);
        const direct = await text.run('x', inputs[i]!, [1, 3, 48, 192]);
        assert.deepEqual(record.result?.outputs.find((o) => o.name === TEXT_OUTPUT)?.data, direct[TEXT_OUTPUT], id);
      }
      assert.equal(await queuedDepth(), 0);
      assert.equal(await depth('active'), 0);
    });
  });

  describe('poison jobs', () => {
    let stack: InProcessStack;
    let connection: Redis;
    let eventsConnection: Redis;
    let queue: Queue<PredictionJobData>;
    let queueEvents: QueueEvents;
    let store: PredictionStore;
    let socket: WebSocket | undefined;

    before(async () => {
      stack = await startInProcessStack(redis.url, { workers: 1 });
      connection = createRedisConnection(redis.url, 'worker');
      eventsConnection = createRedisConnection(redis.url, 'worker');
      queue = new Queue<PredictionJobData>(predictionQueueName('iris'), { connection, prefix: stack.keyPrefix });
      queueEvents = new QueueEvents(predictionQueueName('iris'), { connection: eventsConnection, prefix: stack.keyPrefix });
      await queueEvents.waitUntilReady();
      store = new PredictionStore(connection, redisKeys(stack.keyPrefix), 3_600);
    });
    after(async () => {
      socket?.terminate();
      await queueEvents?.close();
      await queue?.close();
      await stack?.close();
      await eventsConnection?.quit();
      await connection?.quit();
    });

    /** Writes the record and job the way the API would, but with `inputs` of our choosing. */
    const addRawJob = async (inputs: unknown, overrides: Partial<PredictionJobData> = {}) => {
      const job = { id: newPredictionId(), model: 'iris', version: '1', inputs: inputs as EncodedTensor[], createdAt: Date.now(), origin: 'poison-test', ...overrides };
      await store.create({ id: job.id, model: job.model, version: job.version, createdAt: job.createdAt });
      const failed = firstEvent<string>((callback) => {
        const listener = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
          if (jobId === job.id) callback(failedReason);
        };
        queueEvents.on('failed', listener);
        return () => queueEvents.off('failed', listener);
      }, WAIT_MS, `failure of job ${job.id}`);
      await queue.add(PREDICTION_JOB_NAME, job, { ...PREDICTION_JOB_OPTIONS, jobId: job.id });
      return { id: job.id, failed };
    };

    const floats = (values: number[]) => Buffer.from(Float32Array.from(values).buffer).toString('base64');

    const POISONS: Array<{ title: string; inputs: unknown; overrides?: Partial<PredictionJobData>; code: string; mentions: RegExp }> = [
      {
        title: 'base64 of the wrong length', code: 'INVALID_REQUEST', mentions: /cannot be decoded.*"features".*10 bytes for 4 FP32/,
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], base64: Buffer.alloc(10, 7).toString('base64') }],
      },
      {
        title: 'no tensor bytes at all', code: 'INVALID_REQUEST', mentions: /cannot be decoded.*"features"/,
        inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 4] }],
      },
      {
        title: 'a shape the model cannot take', code: 'INVALID_REQUEST', mentions: /"features" does not fit model iris:1/,
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 5], base64: floats([1, 2, 3, 4, 5]) }],
      },
      {
        title: 'the wrong datatype', code: 'INVALID_REQUEST', mentions: /"features" does not fit/,
        inputs: [{ name: 'features', datatype: 'INT32', shape: [1, 4], base64: Buffer.alloc(16).toString('base64') }],
      },
      {
        title: 'an input the model does not have', code: 'INVALID_REQUEST', mentions: /"petals" does not fit/,
        inputs: [{ name: 'petals', datatype: 'FP32', shape: [1, 4], base64: floats([1, 2, 3, 4]) }],
      },
      {
        title: 'inputs that are not an array', code: 'INVALID_REQUEST', mentions: /"inputs" is not an array/,
        inputs: 'garbage',
      },
      {
        title: 'more inputs than the model takes', code: 'INVALID_REQUEST', mentions: /carries 2 inputs, model takes 1/,
        inputs: [1, 2].map(() => ({ name: 'features', datatype: 'FP32', shape: [1, 4], base64: floats([1, 2, 3, 4]) })),
      },
      {
        title: 'a version that does not exist', code: 'VERSION_NOT_FOUND', mentions: /"9"/, overrides: { version: '9' },
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], base64: floats([1, 2, 3, 4]) }],
      },
    ];

    for (const poison of POISONS) {
      it(`${poison.title} → failed ${poison.code}, not retried`, async () => {
        const { id, failed } = await addRawJob(poison.inputs, poison.overrides);
        const reason = await failed;
        assert.match(reason, new RegExp(`^${poison.code}: `), reason);
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` });
        const record = response.json() as PredictionBody;
        assert.equal(record.status, 'failed', response.body);
        assert.equal(record.error?.code, poison.code, response.body);
        assert.match(record.error?.message ?? '', poison.mentions, response.body);
        assert.equal(record.result, undefined);
        const job = await queue.getJob(id);
        assert.ok(job, 'kept as a dead letter');
        assert.equal(await job.getState(), 'failed');
        assert.equal(job.attemptsMade, 1, 'an input that can never succeed is not retried');
      });
    }

    it('a WebSocket subscriber is told of the failure', async () => {
      socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
      const open = socket;
      const id = newPredictionId();
      const createdAt = Date.now();
      await store.create({ id, model: 'iris', version: '1', createdAt });
      const pushed = firstEvent<WsServerMessage>((callback) => {
        const listener = (data: Buffer) => {
          const message = JSON.parse(data.toString()) as WsServerMessage;
          if (message.type === 'result' && message.id === id) callback(message);
        };
        open.on('message', listener);
        return () => open.off('message', listener);
      }, WAIT_MS, 'pushed failure');
      // Subscribe first; the probe's error (a Redis read queued after the subscription's) says it is in place.
      const probe = newPredictionId();
      const probed = firstEvent<void>((callback) => {
        const listener = (data: Buffer) => {
          const message = JSON.parse(data.toString()) as WsServerMessage;
          if (message.type === 'error' && message.id === probe) callback();
        };
        open.on('message', listener);
        return () => open.off('message', listener);
      }, WAIT_MS, 'probe');
      open.send(JSON.stringify({ type: 'subscribe', ids: [id] }));
      open.send(JSON.stringify({ type: 'subscribe', ids: [probe] }));
      await probed;
      await queue.add(PREDICTION_JOB_NAME, {
        id, model: 'iris', version: '1', createdAt, origin: 'poison-test',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], base64: 'AAAA' }],
      }, { ...PREDICTION_JOB_OPTIONS, jobId: id });
      const message = await pushed;
      assert.equal(message.type, 'result');
      assert.ok(message.type === 'result' && message.status === 'failed');
      assert.equal(message.error.code, 'INVALID_REQUEST');
      assert.equal(typeof message.timings.totalMs, 'number');
    });

    it('keeps serving valid requests, even ones arriving between poison jobs', async () => {
      const random = seededRandom(72);
      const valid = Array.from({ length: 20 }, (_, i) => irisRows(random, 1 + (i % 4)));
      const [responses, poisons] = await Promise.all([
        Promise.all(valid.map((data) => stack.app.inject({
          method: 'POST', url: '/v1/models/iris/predictions',
          payload: { inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }] },
        }))),
        Promise.all(Array.from({ length: 5 }, () => addRawJob([{ name: 'features', datatype: 'FP32', shape: [1, 4], base64: 'AAAA' }]))),
      ]);
      await Promise.all(poisons.map((p) => p.failed));
      const iris = await DirectModel.load('iris');
      for (const [i, response] of responses.entries()) {
        assert.equal(response.statusCode, 202, response.body);
        const polled = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${response.json().id}?wait=${WAIT_MS}` });
        const record = polled.json() as PredictionBody;
        assert.equal(record.status, 'completed', polled.body);
        const data = valid[i]!;
        const direct = await iris.run('features', data, [data.length / 4, 4]);
        assert.deepEqual(record.result?.outputs.find((o) => o.name === 'probabilities')?.data, direct.probabilities);
      }
      for (const poison of poisons) {
        const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${poison.id}` })).json() as PredictionBody;
        assert.equal(record.status, 'failed');
      }
      assert.equal(await queue.getFailedCount(), POISONS.length + 1 + poisons.length);
    });
  });
});
