/**
 * Deadlines and priorities against a real Redis, BullMQ and onnxruntime.
 * - A request may carry a timeout (`parameters.timeout_ms`, header `Request-Timeout-Ms`, the
 *   shorter wins; DEFAULT_TIMEOUT_MS otherwise). Queued past it, it is not run: it ends
 *   `expired` with DEADLINE_EXCEEDED, over REST, WebSocket and v2 alike.
 * - Priorities: with a backlog, a worker that takes one job at a time serves every "high" job
 *   before any "normal" one, numeric priorities in between in their order, "low" last.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PredictionRecord, WsServerMessage } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { WebSocket } from 'ws';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;
const iris = (parameters?: Record<string, unknown>) => ({
  ...(parameters ? { parameters } : {}),
  inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [6.7, 3.0, 5.2, 2.3] }],
});

describe('deadlines and priorities (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let repository: string;
  const workers: WorkerApp[] = [];
  const stacks: InProcessStack[] = [];

  before(async () => {
    redis = await startTestRedis();
    // iris with batches of one, so a worker with BATCH_CONCURRENCY_FACTOR=1 takes one job at a time.
    repository = mkdtempSync(join(tmpdir(), 'inferq-priorities-'));
    const dir = join(repository, 'iris', '1');
    cpSync(join(MODELS_DIR, 'iris', '1'), dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, maxBatchSize: 1 }));
  });
  after(async () => {
    for (const worker of workers) await worker.close();
    for (const stack of stacks) await stack.close();
    await redis?.dispose();
    rmSync(repository, { recursive: true, force: true });
  });

  const startStack = async (env: Record<string, string> = {}) => {
    const stack = await startInProcessStack(redis.url, { workers: 0, env });
    stacks.push(stack);
    return stack;
  };
  const startWorker = async (stack: InProcessStack, env: Record<string, string> = {}) => {
    workers.push(await startWorkerApp(loadWorkerConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: `w-${stack.keyPrefix}`, ...env,
    }), createLogger('test', 'silent')));
  };
  const submit = async (stack: InProcessStack, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload, headers });
    assert.equal(response.statusCode, 202, response.body);
    return response.json().id as string;
  };
  const waitFinal = async (stack: InProcessStack, id: string) =>
    (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` })).json() as PredictionRecord;

  describe('deadlines', () => {
    it('refuses timeouts that are not a positive whole number of milliseconds', async () => {
      const stack = await startStack();
      for (const timeout_ms of [0, -5, 1.5, '100', null, 86_400_001]) {
        const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: iris({ timeout_ms }) });
        assert.equal(response.statusCode, 400, String(timeout_ms));
        assert.equal(response.json().error.code, 'INVALID_REQUEST');
        assert.match(response.json().error.message, /parameters\.timeout_ms/);
      }
      for (const header of ['abc', '0', '1.5', '-1']) {
        const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: iris(), headers: { 'request-timeout-ms': header } });
        assert.equal(response.statusCode, 400, header);
        assert.match(response.json().error.message, /Request-Timeout-Ms/);
      }
    });

    it('expires what waited past its timeout without running it; the rest completes', async () => {
      const stack = await startStack();
      const started = Date.now();
      const expiring = [
        await submit(stack, iris({ timeout_ms: 50 })),
        await submit(stack, iris(), { 'request-timeout-ms': '50' }),
        await submit(stack, iris({ timeout_ms: 50 }), { 'request-timeout-ms': '600000' }), // the shorter wins
      ];
      const surviving = [await submit(stack, iris()), await submit(stack, iris({ timeout_ms: 600_000 }))];

      const socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
      const pushed = new Promise<WsServerMessage[]>((resolve) => {
        const messages: WsServerMessage[] = [];
        socket.on('message', (data: Buffer) => {
          messages.push(JSON.parse(data.toString()));
          if (messages.some((m) => m.type === 'result')) resolve(messages);
        });
      });
      socket.send(JSON.stringify({ type: 'predict', model: 'iris', ref: 'ws', request: iris({ timeout_ms: 50 }) }));
      const v2 = stack.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: iris({ timeout_ms: 50 }) });
      // The deadline is what is under test: let it pass (bounded by the 50 ms timeout itself).
      await new Promise((r) => setTimeout(r, Math.max(0, started + 120 - Date.now())));
      await startWorker(stack);

      for (const id of expiring) {
        const record = await waitFinal(stack, id);
        assert.equal(record.status, 'expired', JSON.stringify(record));
        assert.equal(record.error?.code, 'DEADLINE_EXCEEDED');
        assert.match(record.error?.message ?? '', /timeout of 50 ms passed \d+ ms before a worker took it; it was not run/);
        assert.equal(record.result, undefined);
        assert.equal(record.timings.inferenceMs, undefined, 'never ran');
      }
      for (const id of surviving) assert.equal((await waitFinal(stack, id)).status, 'completed');

      const messages = await pushed;
      const result = messages.find((m) => m.type === 'result');
      assert.ok(result?.type === 'result' && result.status === 'expired' && result.error.code === 'DEADLINE_EXCEEDED', JSON.stringify(messages));
      socket.terminate();

      const answered = await v2;
      assert.equal(answered.statusCode, 504, answered.body);
      assert.equal(answered.json().code, 'DEADLINE_EXCEEDED');
      // Expired jobs are no dead letters.
      const failed = (await stack.app.inject({ method: 'GET', url: '/v1/models/iris/failed' })).json() as { total: number };
      assert.equal(failed.total, 0);
    });

    it('applies DEFAULT_TIMEOUT_MS to requests that name no timeout', async () => {
      const stack = await startStack({ DEFAULT_TIMEOUT_MS: '50' });
      const started = Date.now();
      const defaulted = await submit(stack, iris());
      const own = await submit(stack, iris({ timeout_ms: 600_000 }));
      await new Promise((r) => setTimeout(r, Math.max(0, started + 120 - Date.now())));
      await startWorker(stack);
      assert.equal((await waitFinal(stack, defaulted)).status, 'expired');
      assert.equal((await waitFinal(stack, own)).status, 'completed');
    });
  });

  describe('priorities', () => {
    it('refuses unknown priorities', async () => {
      const stack = await startStack();
      for (const priority of ['urgent', 0, 1001, 2.5, true]) {
        const response = await stack.app.inject({ method: 'POST', url: '/v1/models/iris/predictions', payload: iris({ priority }) });
        assert.equal(response.statusCode, 400, String(priority));
        assert.match(response.json().error.message, /parameters\.priority/);
      }
    });

    it('serves high before numeric before normal before low under a backlog, FIFO within each', async () => {
      const stack = await startStack({ MODEL_REPOSITORY: repository });
      // Submitted worst first, so arrival order alone would give the opposite answer.
      const plan: Array<[string, Record<string, unknown> | undefined]> = [
        ...Array.from({ length: 8 }, () => ['low', { priority: 'low' }] as [string, Record<string, unknown>]),
        ...Array.from({ length: 8 }, () => ['normal', undefined] as [string, undefined]),
        ...Array.from({ length: 4 }, () => ['p250', { priority: 250 }] as [string, Record<string, unknown>]),
        ...Array.from({ length: 8 }, () => ['high', { priority: 'high' }] as [string, Record<string, unknown>]),
      ];
      const classOf = new Map<string, string>();
      const ids: string[] = [];
      for (const [cls, parameters] of plan) {
        const id = await submit(stack, iris(parameters));
        classOf.set(id, cls);
        ids.push(id);
      }
      const order: string[] = [];
      const all = new Promise<void>((resolve) => {
        const stop = stack.services.events.onAny((event) => {
          if (!classOf.has(event.id)) return;
          order.push(event.id);
          if (order.length === ids.length) {
            stop();
            resolve();
          }
        });
      });
      await startWorker(stack, { MODEL_REPOSITORY: repository, BATCH_CONCURRENCY_FACTOR: '1' });
      await all;
      const classes = order.map((id) => classOf.get(id));
      assert.deepEqual(classes, [...Array(8).fill('high'), ...Array(4).fill('p250'), ...Array(8).fill('normal'), ...Array(8).fill('low')], classes.join(' '));
      for (const cls of ['high', 'normal', 'low']) {
        const submitted = ids.filter((id) => classOf.get(id) === cls);
        assert.deepEqual(order.filter((id) => classOf.get(id) === cls), submitted, `${cls}: first in, first out`);
      }
    });
  });
});
