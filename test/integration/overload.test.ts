/**
 * Bounded queues against a real Redis and BullMQ: a model's queue takes at most `maxQueueSize`
 * waiting predictions (config.json) or MAX_QUEUE_SIZE; beyond that REST and v2 answer 429
 * QUEUE_FULL with Retry-After and the WebSocket an `error` message, nothing more is queued, and
 * once workers drain the queue submits are accepted again. Every accepted prediction completes.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { PredictionRecord, WsServerMessage } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import type { WebSocket } from 'ws';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 20_000;
const body = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

/** Copies the bundled iris model to `<repository>/<name>/1`, changing its config.json. */
function copyIris(repository: string, name: string, config: Record<string, unknown>): void {
  const dir = join(repository, name, '1');
  cpSync(join(MODELS_DIR, 'iris', '1'), dir, { recursive: true });
  const current = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...current, ...config }));
}

describe('bounded queues: 429 QUEUE_FULL (real Redis, BullMQ)', () => {
  let redis: TestRedis;
  let repository: string;
  let stack: InProcessStack;
  let worker: WorkerApp | undefined;
  let socket: WebSocket | undefined;
  const accepted: string[] = [];

  before(async () => {
    redis = await startTestRedis();
    repository = mkdtempSync(join(tmpdir(), 'inferq-overload-'));
    copyIris(repository, 'iris', { maxQueueSize: 5 });
    copyIris(repository, 'iris-env', {});
    // No worker: what is accepted stays queued, so the bound is all that stops submits.
    stack = await startInProcessStack(redis.url, { workers: 0, env: { MODEL_REPOSITORY: repository, MAX_QUEUE_SIZE: '3' } });
  });
  after(async () => {
    socket?.terminate();
    await worker?.close();
    await stack?.close();
    await redis?.dispose();
    rmSync(repository, { recursive: true, force: true });
  });

  const submit = (model: string) => stack.app.inject({ method: 'POST', url: `/v1/models/${model}/predictions`, payload: body });
  /** Predictions queued for `model` (BullMQ jobs would undercount: concurrent submits share a bundle job). */
  const depth = async (model: string): Promise<number> => {
    const probe = new Redis(redis.url);
    try {
      return Number(await probe.get(`${stack.keyPrefix}:queued:${model}`));
    } finally {
      probe.disconnect();
    }
  };

  it("refuses REST submits beyond the model's maxQueueSize with 429 QUEUE_FULL and Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await submit('iris');
      statuses.push(response.statusCode);
      if (response.statusCode === 202) accepted.push(response.json().id);
      else {
        assert.equal(response.json().error.code, 'QUEUE_FULL', response.body);
        assert.match(response.json().error.message, /"iris".*maximum of 5/);
        assert.equal(response.headers['retry-after'], '1');
      }
    }
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429, 429]);
    assert.equal(await depth('iris'), 5, 'nothing beyond the bound was queued');
  });

  it('applies MAX_QUEUE_SIZE to a model whose config sets no bound, and counts concurrent submits exactly', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, () => submit('iris-env')));
    const ok = responses.filter((r) => r.statusCode === 202);
    assert.equal(ok.length, 3, responses.map((r) => r.statusCode).join(','));
    for (const r of ok) accepted.push(r.json().id);
    assert.ok(responses.filter((r) => r.statusCode !== 202).every((r) => r.statusCode === 429 && r.json().error.code === 'QUEUE_FULL'));
    assert.equal(await depth('iris-env'), 3);
  });

  it('answers v2 infer at once with 429 {error, code: QUEUE_FULL}', async () => {
    const response = await stack.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: body });
    assert.equal(response.statusCode, 429);
    assert.equal(response.json().code, 'QUEUE_FULL');
    assert.equal(typeof response.json().error, 'string');
    assert.equal(response.headers['retry-after'], '1');
  });

  it('answers a WebSocket predict with an error message, the socket staying open', async () => {
    socket = (await stack.app.injectWS('/v1/ws')) as unknown as WebSocket;
    const open = socket;
    const reply = new Promise<WsServerMessage>((resolve) => open.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
    open.send(JSON.stringify({ type: 'predict', model: 'iris', ref: 'full', request: body }));
    const message = await reply;
    assert.equal(message.type, 'error');
    assert.ok(message.type === 'error' && message.error.code === 'QUEUE_FULL' && message.ref === 'full', JSON.stringify(message));
    assert.equal(open.readyState, open.OPEN);
    const metrics = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /inferq_predictions_rejected_total\{code="QUEUE_FULL"\} 8/);
  });

  it('accepts again once a worker drains the queue, and every accepted prediction completes', async () => {
    worker = await startWorkerApp(loadWorkerConfig({
      REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: repository, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: 'drain',
    }), createLogger('test', 'silent'));
    for (const id of accepted) {
      const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` })).json() as PredictionRecord;
      assert.equal(record.status, 'completed', id);
    }
    // The depth the API knows is at most 100 ms old: bounded polling until it sees the room.
    const deadline = Date.now() + 5_000;
    let response = await submit('iris');
    while (response.statusCode === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      response = await submit('iris');
    }
    assert.equal(response.statusCode, 202, response.body);
    const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${response.json().id}?wait=${WAIT_MS}` })).json() as PredictionRecord;
    assert.equal(record.status, 'completed');
    assert.equal(accepted.length, 8, 'accepted: 5 iris + 3 iris-env');
    assert.equal(await depth('iris'), 0, 'the queued count is back to zero once all ran');
    assert.equal(await depth('iris-env'), 0);
  });

  it('heals a queued count left stale (records that expired queued) once no job is waiting', async () => {
    const probe = new Redis(redis.url);
    try {
      await probe.set(`${stack.keyPrefix}:queued:iris-env`, '999');
      // Bounded polling: the API re-reads the count within 100 ms, sees no job, and starts again from 0.
      const deadline = Date.now() + 5_000;
      let response = await submit('iris-env');
      while (response.statusCode === 429 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        response = await submit('iris-env');
      }
      assert.equal(response.statusCode, 202, response.body);
      const record = (await stack.app.inject({ method: 'GET', url: `/v1/predictions/${response.json().id}?wait=${WAIT_MS}` })).json() as PredictionRecord;
      assert.equal(record.status, 'completed');
      assert.equal(await depth('iris-env'), 0);
    } finally {
      probe.disconnect();
    }
  });
});
