/**
 * The Open Inference Protocol v2 routes against a real Redis, BullMQ and onnxruntime: server and
 * model metadata, health and readiness (including Redis going away), synchronous `infer` equal
 * to direct inference, the `{ error, code }` error body, and the 504 of a sync call that times out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@inferq/logger';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom, textLineImages } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const SYNC_TIMEOUT_MS = 250;

interface Output { name: string; shape: number[]; datatype: string; data: number[] }

const irisBody = (data: number[], extra: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'features', shape: [data.length / 4, 4], datatype: 'FP32', data }], ...extra,
});

/** v2 error answers are `{ error: "<message>", code }` and nothing else. */
function assertV2Error(body: unknown, code: string, mentions: RegExp, context: string): void {
  assert.ok(typeof body === 'object' && body !== null, context);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error'], `${context}: ${JSON.stringify(body)}`);
  const { error, code: actual } = body as { error: unknown; code: unknown };
  assert.equal(actual, code, `${context}: ${JSON.stringify(body)}`);
  assert.equal(typeof error, 'string', context);
  assert.match(error as string, mentions, context);
}

describe('Open Inference Protocol v2 (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let iris: DirectModel;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 1 });
    iris = await DirectModel.load('iris');
  });
  after(async () => {
    await stack?.close();
    await redis?.dispose();
  });

  const get = (url: string) => stack.app.inject({ method: 'GET', url });

  it('GET /v2 describes the server', async () => {
    const response = await get('/v2');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { name: 'inferq', version: '0.1.0', extensions: ['binary_tensor_data'] });
  });

  it('GET /v2/health/live and /v2/health/ready answer 200 with Redis up', async () => {
    const live = await get('/v2/health/live');
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { live: true });
    const ready = await get('/v2/health/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ready: true });
  });

  it('model metadata has -1 for dynamic dimensions and platform onnxruntime_onnx', async () => {
    const irisMeta = {
      name: 'iris', versions: ['1'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }, { name: 'label', datatype: 'INT64', shape: [-1] }],
    };
    for (const url of ['/v2/models/iris', '/v2/models/iris/versions/1']) {
      const response = await get(url);
      assert.equal(response.statusCode, 200, url);
      assert.deepEqual(response.json(), irisMeta, url);
    }
    const text = await get('/v2/models/text-orientation');
    assert.equal(text.statusCode, 200);
    assert.deepEqual(text.json(), {
      name: 'text-orientation', versions: ['1'], platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, 192] }],
      outputs: [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [-1, 2] }],
    });
  });

  it('unknown models and versions → 404 in the v2 error format', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['/v2/models/tulip', 'MODEL_NOT_FOUND', /"tulip"/],
      ['/v2/models/iris/versions/9', 'VERSION_NOT_FOUND', /"iris".*"9"/],
      ['/v2/models/tulip/ready', 'MODEL_NOT_FOUND', /"tulip"/],
      ['/v2/models/iris/versions/9/ready', 'VERSION_NOT_FOUND', /"9"/],
      ['/v2/models/tulip/versions/1/ready', 'MODEL_NOT_FOUND', /"tulip"/],
    ];
    for (const [url, code, mentions] of cases) {
      const response = await get(url);
      assert.equal(response.statusCode, 404, url);
      assertV2Error(response.json(), code, mentions, url);
    }
  });

  it('model readiness answers 200 for served models and versions', async () => {
    for (const [url, name] of [['/v2/models/iris/ready', 'iris'], ['/v2/models/iris/versions/1/ready', 'iris'], ['/v2/models/text-orientation/ready', 'text-orientation']]) {
      const response = await get(url!);
      assert.equal(response.statusCode, 200, url);
      assert.deepEqual(response.json(), { name, ready: true }, url);
    }
  });

  it('POST /v2/models/iris/infer returns the v2 response, equal to direct inference', async () => {
    const data = irisRows(seededRandom(21), 5);
    const direct = await iris.run('features', data, [5, 4]);
    const response = await stack.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: irisBody(data, { id: 'req-1' }) });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.deepEqual(response.json(), {
      model_name: 'iris', model_version: '1', id: 'req-1',
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [5, 3], data: direct.probabilities },
        { name: 'label', datatype: 'INT64', shape: [5], data: direct.label },
      ],
    });
  });

  it('POST /v2/models/iris/versions/1/infer honours the outputs filter and gives an id without one', async () => {
    const data = irisRows(seededRandom(22), 2);
    const response = await stack.app.inject({ method: 'POST', url: '/v2/models/iris/versions/1/infer', payload: irisBody(data, { outputs: [{ name: 'label' }] }) });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.match(body.id, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(body.outputs, [{ name: 'label', datatype: 'INT64', shape: [2], data: (await iris.run('features', data, [2, 4])).label }]);
  });

  it('POST /v2/models/text-orientation/infer equals direct inference on an image', async () => {
    const data = textLineImages(seededRandom(23), 1).map((v) => Math.round(v * 1000) / 1000);
    const direct = await (await DirectModel.load('text-orientation')).run('x', data, [1, 3, 48, 192]);
    const response = await stack.app.inject({ method: 'POST', url: '/v2/models/text-orientation/infer', payload: { inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().outputs, [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [1, 2], data: direct['softmax_0.tmp_0'] }]);
  });

  it('errors on v2 routes are { error: string, code }', async () => {
    const post = (url: string, payload: string, type = 'application/json') => stack.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
    const cases: Array<[Promise<{ statusCode: number; json(): unknown }>, number, string, RegExp, string]> = [
      [post('/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3] }] })), 400, 'ELEMENT_COUNT_MISMATCH', /"features"/, 'element count'],
      [post('/v2/models/iris/infer', JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'INT64', data: [1, 2, 3, 4] }] })), 400, 'DATATYPE_MISMATCH', /"features"/, 'datatype'],
      [post('/v2/models/iris/infer', JSON.stringify(irisBody(irisRows(seededRandom(1), 65)))), 400, 'BATCH_TOO_LARGE', /65/, 'batch'],
      [post('/v2/models/iris/infer', '{"inputs":'), 400, 'INVALID_JSON', /JSON/, 'json'],
      [post('/v2/models/iris/infer', '{}'), 400, 'INVALID_REQUEST', /inputs/, 'schema'],
      [post('/v2/models/iris/infer', JSON.stringify(irisBody([1, 2, 3, 4])), 'text/csv'), 415, 'UNSUPPORTED_MEDIA_TYPE', /./, 'media type'],
      [post('/v2/models/tulip/infer', JSON.stringify(irisBody([1, 2, 3, 4]))), 404, 'MODEL_NOT_FOUND', /"tulip"/, 'model'],
      [post('/v2/models/iris/versions/2/infer', JSON.stringify(irisBody([1, 2, 3, 4]))), 404, 'VERSION_NOT_FOUND', /"2"/, 'version'],
      // The name is checked before the body: a wrong name is told first, not that the body is invalid.
      [post('/v2/models/tulip/infer', '{}'), 404, 'MODEL_NOT_FOUND', /"tulip"/, 'model before body'],
      [post('/v2/models/iris/versions/2/infer', '{}'), 404, 'VERSION_NOT_FOUND', /"2"/, 'version before body'],
      [stack.app.inject({ method: 'GET', url: '/v2/nowhere' }), 404, 'ROUTE_NOT_FOUND', /\/v2\/nowhere/, 'route'],
    ];
    for (const [pending, status, code, mentions, context] of cases) {
      const response = await pending;
      assert.equal(response.statusCode, status, context);
      assertV2Error(response.json(), code, mentions, context);
    }
  });

  describe('a sync call with no worker to answer it', () => {
    let slow: InProcessStack;
    let lateWorker: WorkerApp | undefined;
    before(async () => {
      slow = await startInProcessStack(redis.url, { workers: 0, env: { SYNC_TIMEOUT_MS: String(SYNC_TIMEOUT_MS) } });
    });
    after(async () => {
      await lateWorker?.close();
      await slow?.close();
    });

    it('→ 504 INFERENCE_TIMEOUT with a Location to poll, and the prediction completes once a worker runs', async () => {
      const data = irisRows(seededRandom(24), 1);
      const started = Date.now();
      const response = await slow.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: irisBody(data) });
      const elapsed = Date.now() - started;
      assert.equal(response.statusCode, 504, response.body);
      assert.ok(elapsed >= SYNC_TIMEOUT_MS - 5 && elapsed < SYNC_TIMEOUT_MS + 5_000, `answered after ${elapsed} ms`);
      assertV2Error(response.json(), 'INFERENCE_TIMEOUT', new RegExp(`${SYNC_TIMEOUT_MS} ms.*queued`), '504');
      const location = response.headers.location;
      assert.match(String(location), /^\/v1\/predictions\/[A-Za-z0-9_-]{22}$/);
      assert.match((response.json() as { error: string }).error, new RegExp(String(location)));

      const queued = await slow.app.inject({ method: 'GET', url: String(location) });
      assert.equal(queued.statusCode, 200);
      assert.equal(queued.json().status, 'queued');

      lateWorker = await startWorkerApp(loadWorkerConfig({
        REDIS_URL: redis.url, KEY_PREFIX: slow.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: `late-${slow.keyPrefix}`,
      }), createLogger('test', 'silent'));
      const done = await slow.app.inject({ method: 'GET', url: `${String(location)}?wait=10000` });
      assert.equal(done.json().status, 'completed', done.body);
      assert.deepEqual(done.json().result.outputs.find((o: Output) => o.name === 'label').data, (await iris.run('features', data, [1, 4])).label);
    });
  });

  // A Redis of its own, killed for good, under an API-only stack (a worker's close would wait for
  // Redis to come back; its process relies on SHUTDOWN_TIMEOUT_MS for that).
  describe('with Redis gone', () => {
    let doomedRedis: TestRedis;
    let apiOnly: InProcessStack;
    before(async () => {
      doomedRedis = await startTestRedis();
      apiOnly = await startInProcessStack(doomedRedis.url, { workers: 0 });
    });
    after(async () => {
      await apiOnly?.close();
      await doomedRedis?.dispose();
    });

    it('readiness answers 503 promptly instead of hanging, liveness stays 200, Redis calls get 503 QUEUE_UNAVAILABLE', async () => {
      const read = (url: string) => apiOnly.app.inject({ method: 'GET', url });
      assert.equal((await read('/v2/health/ready')).statusCode, 200);
      await doomedRedis.kill();
      const started = Date.now();
      const ready = await read('/v2/health/ready');
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { ready: false });
      const modelReady = await read('/v2/models/iris/ready');
      assert.equal(modelReady.statusCode, 503);
      assert.deepEqual(modelReady.json(), { name: 'iris', ready: false });
      assert.equal((await read('/v2/health/live')).statusCode, 200);
      assert.equal((await read('/v2/models/iris')).statusCode, 200, 'metadata needs no Redis');

      const infer = await apiOnly.app.inject({ method: 'POST', url: '/v2/models/iris/infer', payload: irisBody([5.1, 3.5, 1.4, 0.2]) });
      assert.equal(infer.statusCode, 503);
      assert.equal(infer.headers['retry-after'], '1');
      assertV2Error(infer.json(), 'QUEUE_UNAVAILABLE', /Redis/, 'infer without Redis');
      const poll = await read('/v1/predictions/AAAAAAAAAAAAAAAAAAAAAA?wait=5000');
      assert.equal(poll.statusCode, 503);
      assert.equal(poll.json().error.code, 'QUEUE_UNAVAILABLE');
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    });
  });
});
