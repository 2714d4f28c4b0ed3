/**
 * The asynchronous REST API (`/v1`) against a real Redis, BullMQ and onnxruntime: every way a
 * request can be refused answers 4xx with a stable code and a message naming the field, nothing
 * refused ever reaches a queue, and valid requests (flat, nested, filtered, with an id) complete.
 *
 * The stack starts with no worker, so the queue depth in /metrics shows exactly what was queued;
 * a worker joins once the refusals are checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { newPredictionId, type ErrorCode } from '@inferq/contract';
import { createLogger } from '@inferq/logger';
import { createRedisConnection } from '@inferq/redis';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { DirectModel, irisRows, seededRandom } from '../helpers/models.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const BODY_LIMIT_BYTES = 8_192;
const WAIT_MS = 10_000;

interface Output { name: string; shape: number[]; datatype: string; data: number[] }

const features = (over: Record<string, unknown> = {}) => ({ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2], ...over });

/** One refused request: where it goes, what it sends, what must come back. */
interface Refusal {
  title: string;
  url?: string;
  body: unknown;
  status: number;
  code: ErrorCode;
  /** The message must name the offending input or field. */
  mentions: RegExp;
}

const IRIS = '/v1/models/iris/predictions';

const REFUSALS: Refusal[] = [
  { title: 'wrong datatype', body: { inputs: [features({ datatype: 'INT32', data: [5, 3, 1, 0] })] }, status: 400, code: 'DATATYPE_MISMATCH', mentions: /"features".*INT32.*FP32/ },
  { title: 'datatype outside the protocol', body: { inputs: [features({ datatype: 'FLOAT' })] }, status: 400, code: 'INVALID_REQUEST', mentions: /datatype/ },
  { title: 'wrong rank', body: { inputs: [features({ shape: [4] })] }, status: 400, code: 'SHAPE_MISMATCH', mentions: /"features".*rank 1/ },
  { title: 'wrong fixed dimension', body: { inputs: [features({ shape: [1, 5], data: [1, 2, 3, 4, 5] })] }, status: 400, code: 'SHAPE_MISMATCH', mentions: /"features".*dimension 1 is 5.*needs 4/ },
  { title: 'wrong fixed dimension (text-orientation)', url: '/v1/models/text-orientation/predictions', body: { inputs: [{ name: 'x', shape: [1, 3, 48, 100], datatype: 'FP32', data: [0] }] }, status: 400, code: 'SHAPE_MISMATCH', mentions: /"x".*dimension 3 is 100/ },
  { title: 'empty batch', body: { inputs: [features({ shape: [0, 4], data: [] })] }, status: 400, code: 'SHAPE_MISMATCH', mentions: /"features".*dimension 0/ },
  { title: 'negative dimension', body: { inputs: [features({ shape: [-1, 4] })] }, status: 400, code: 'INVALID_REQUEST', mentions: /shape/ },
  { title: 'too few values', body: { inputs: [features({ shape: [2, 4] })] }, status: 400, code: 'ELEMENT_COUNT_MISMATCH', mentions: /"features".*4 values.*\[2, 4\].*8/ },
  { title: 'too many values', body: { inputs: [features({ data: [1, 2, 3, 4, 5, 6, 7, 8] })] }, status: 400, code: 'ELEMENT_COUNT_MISMATCH', mentions: /"features"/ },
  { title: 'string in FP32', body: { inputs: [features({ data: [5.1, '3.5', 1.4, 0.2] })] }, status: 400, code: 'INVALID_TENSOR_DATA', mentions: /"features".*data\[1\].*"3\.5".*FP32/ },
  { title: 'null in FP32', body: { inputs: [features({ data: [5.1, 3.5, 1.4, null] })] }, status: 400, code: 'INVALID_TENSOR_DATA', mentions: /"features".*data\[3\]/ },
  { title: 'nested deeper than the rank', body: { inputs: [features({ data: [[[5.1, 3.5, 1.4, 0.2]]] })] }, status: 400, code: 'INVALID_TENSOR_DATA', mentions: /"features".*nested/ },
  { title: 'unknown input', body: { inputs: [features({ name: 'petals' })] }, status: 400, code: 'UNKNOWN_INPUT', mentions: /"petals".*features/ },
  { title: 'more inputs than the model takes', body: { inputs: [features(), features()] }, status: 400, code: 'UNKNOWN_INPUT', mentions: /2 inputs/ },
  { title: 'empty inputs', body: { inputs: [] }, status: 400, code: 'INVALID_REQUEST', mentions: /"inputs"/ },
  { title: 'missing inputs', body: { id: 'x' }, status: 400, code: 'INVALID_REQUEST', mentions: /inputs/ },
  { title: 'input without data', body: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32' }] }, status: 400, code: 'INVALID_REQUEST', mentions: /data/ },
  { title: 'non-string id', body: { id: 7, inputs: [features()] }, status: 400, code: 'INVALID_REQUEST', mentions: /id/ },
  { title: 'body is an array', body: [features()], status: 400, code: 'INVALID_REQUEST', mentions: /object/ },
  { title: 'unknown output', body: { inputs: [features()], outputs: [{ name: 'logits' }] }, status: 400, code: 'UNKNOWN_OUTPUT', mentions: /"logits".*probabilities, label/ },
  { title: 'batch over maxBatchSize', body: { inputs: [features({ shape: [65, 4], data: irisRows(seededRandom(9), 65) })] }, status: 400, code: 'BATCH_TOO_LARGE', mentions: /65.*64/ },
  { title: 'unknown model', url: '/v1/models/tulip/predictions', body: { inputs: [features()] }, status: 404, code: 'MODEL_NOT_FOUND', mentions: /"tulip"/ },
  { title: 'unknown version', url: '/v1/models/iris/versions/7/predictions', body: { inputs: [features()] }, status: 404, code: 'VERSION_NOT_FOUND', mentions: /"iris".*"7"/ },
  { title: 'model name over 128 characters', url: `/v1/models/${'m'.repeat(129)}/predictions`, body: { inputs: [features()] }, status: 400, code: 'INVALID_REQUEST', mentions: /model/ },
  // Past the router's parameter limit (was a 414 in Fastify's own error format).
  { title: 'model name over the router limit', url: `/v1/models/${'m'.repeat(300)}/predictions`, body: { inputs: [features()] }, status: 400, code: 'INVALID_REQUEST', mentions: /max param length/ },
  // The name is checked before the body (issue 9 B.8): a wrong name is told first, not that the body is invalid.
  { title: 'unknown model with an invalid body', url: '/v1/models/nope/predictions', body: {}, status: 404, code: 'MODEL_NOT_FOUND', mentions: /"nope"/ },
  { title: 'unknown version with an invalid body', url: '/v1/models/iris/versions/7/predictions', body: { inputs: 'x' }, status: 404, code: 'VERSION_NOT_FOUND', mentions: /"7"/ },
  // A model name of the longest legal length (MODEL_NAME_PATTERN) reaches the repository lookup.
  { title: 'model name of 128 characters', url: `/v1/models/${'m'.repeat(128)}/predictions`, body: { inputs: [features()] }, status: 404, code: 'MODEL_NOT_FOUND', mentions: /"m{128}"/ },
];

/** Value of one sample in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

function assertErrorBody(body: unknown, code: ErrorCode, mentions: RegExp, context: string): void {
  assert.ok(typeof body === 'object' && body !== null, context);
  assert.deepEqual(Object.keys(body), ['error'], `${context}: body is { error } only`);
  const { error } = body as { error: { code: unknown; message: unknown } };
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], context);
  assert.equal(error.code, code, `${context}: ${JSON.stringify(error)}`);
  assert.equal(typeof error.message, 'string', context);
  assert.match(error.message as string, mentions, context);
}

const outputNamed = (outputs: Output[], name: string): Output => {
  const found = outputs.find((o) => o.name === name);
  assert.ok(found, `output ${name} present`);
  return found;
};

describe('REST API /v1 (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let stack: InProcessStack;
  let raw: Redis;
  let worker: WorkerApp | undefined;
  let iris: DirectModel;

  before(async () => {
    redis = await startTestRedis();
    stack = await startInProcessStack(redis.url, { workers: 0, env: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) } });
    raw = createRedisConnection(redis.url, 'worker');
    iris = await DirectModel.load('iris');
  });
  after(async () => {
    await worker?.close();
    await stack?.close();
    await raw?.quit();
    await redis?.dispose();
  });

  const post = (url: string, payload: unknown) => stack.app.inject({ method: 'POST', url, payload: payload as object });
  const metrics = async () => (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;

  describe('refusals', () => {
    for (const refusal of REFUSALS) {
      it(`${refusal.title} → ${refusal.status} ${refusal.code}`, async () => {
        const url = refusal.url ?? IRIS;
        const response = await post(url, refusal.body);
        assert.equal(response.statusCode, refusal.status, response.body);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        assert.equal(response.headers.location, undefined);
        assertErrorBody(response.json(), refusal.code, refusal.mentions, refusal.title);
      });
    }

    it('refuses the same way on the versioned route', async () => {
      const response = await post('/v1/models/iris/versions/1/predictions', { inputs: [features({ datatype: 'FP64' })] });
      assert.equal(response.statusCode, 400);
      assertErrorBody(response.json(), 'DATATYPE_MISMATCH', /"features"/, 'versioned route');
    });

    it('malformed JSON → 400 INVALID_JSON', async () => {
      for (const payload of ['{"inputs": [', '{inputs: []}', '']) {
        const response = await stack.app.inject({ method: 'POST', url: IRIS, payload, headers: { 'content-type': 'application/json' } });
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        assertErrorBody(response.json(), 'INVALID_JSON', /JSON/, JSON.stringify(payload));
      }
    });

    it('a Content-Type other than JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      // application/octet-stream is the binary data extension (see binary-tensors.test.ts), not an unsupported type.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'image/png']) {
        const response = await stack.app.inject({ method: 'POST', url: IRIS, payload: JSON.stringify({ inputs: [features()] }), headers: { 'content-type': type } });
        assert.equal(response.statusCode, 415, type);
        assertErrorBody(response.json(), 'UNSUPPORTED_MEDIA_TYPE', /./, type);
      }
    });

    it('a reference upload in any other content type → 415 UNSUPPORTED_MEDIA_TYPE saying what to send', async () => {
      const url = '/v1/models/iris/versions/1/reference';
      for (const [type, payload] of [['application/octet-stream', 'a,b\n1,2'], ['application/json', '{"a":1}'], ['application/xml', '<a/>'], ['multipart/form-data; boundary=x', '--x--']]) {
        const response = await stack.app.inject({ method: 'PUT', url, payload, headers: { 'content-type': type! } });
        assert.equal(response.statusCode, 415, type);
        assertErrorBody(response.json(), 'UNSUPPORTED_MEDIA_TYPE', /text\/csv/, type!);
      }
    });

    it(`a body over BODY_LIMIT_BYTES (${BODY_LIMIT_BYTES}) → 413 BODY_TOO_LARGE`, async () => {
      const payload = JSON.stringify({ inputs: [features({ shape: [1_000, 4], data: irisRows(seededRandom(3), 1_000) })] });
      assert.ok(payload.length > BODY_LIMIT_BYTES);
      const response = await stack.app.inject({ method: 'POST', url: IRIS, payload, headers: { 'content-type': 'application/json' } });
      assert.equal(response.statusCode, 413);
      assertErrorBody(response.json(), 'BODY_TOO_LARGE', /./, 'body limit');
    });

    it('a malformed prediction id → 400 INVALID_PREDICTION_ID; an unknown one → 404 PREDICTION_NOT_FOUND', async () => {
      for (const id of ['not-an-id', 'A'.repeat(21), `${'A'.repeat(21)}=`, '%2E%2E%2Fetc']) {
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` });
        assert.equal(response.statusCode, 400, id);
        assertErrorBody(response.json(), 'INVALID_PREDICTION_ID', /not a prediction id/, id);
      }
      const tooLong = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${'A'.repeat(65)}` });
      assert.equal(tooLong.statusCode, 400);
      assertErrorBody(tooLong.json(), 'INVALID_REQUEST', /id/, 'id over 64 characters');

      const unknown = newPredictionId();
      for (const query of ['', '?wait=50']) {
        const response = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${unknown}${query}` });
        assert.equal(response.statusCode, 404, query);
        assertErrorBody(response.json(), 'PREDICTION_NOT_FOUND', new RegExp(unknown), query);
      }
      const badWait = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${unknown}?wait=soon` });
      assert.equal(badWait.statusCode, 400);
      assertErrorBody(badWait.json(), 'INVALID_REQUEST', /wait/, 'non-numeric wait');
    });

    it('a URL with broken percent-encoding → 400 INVALID_REQUEST in the registry format', async () => {
      const response = await stack.app.inject({ method: 'GET', url: '/v1/predictions/%E0%A4%A' });
      assert.equal(response.statusCode, 400);
      assertErrorBody(response.json(), 'INVALID_REQUEST', /not a valid url/, 'bad url');
    });

    it('an unknown route or method → 404 ROUTE_NOT_FOUND', async () => {
      for (const [method, url] of [['GET', '/v1/nope'], ['DELETE', '/v1/models'], ['GET', '/v1/models/iris/predictions'], ['PUT', '/v1/predictions/x']] as const) {
        const response = await stack.app.inject({ method, url });
        assert.equal(response.statusCode, 404, `${method} ${url}`);
        assertErrorBody(response.json(), 'ROUTE_NOT_FOUND', new RegExp(`${method} ${url.replace(/\//g, '\\/')}`), `${method} ${url}`);
      }
    });

    it('queued nothing for any refused request', async () => {
      const text = await metrics();
      for (const model of ['iris', 'text-orientation']) {
        for (const state of ['waiting', 'active', 'delayed', 'prioritized']) {
          assert.equal(sample(text, 'inferq_queue_depth', { model, state }), 0, `${model} ${state}`);
        }
      }
      assert.equal(sample(text, 'inferq_predictions_submitted_total'), undefined, 'no submitted series');
      assert.ok((sample(text, 'inferq_predictions_rejected_total', { code: 'DATATYPE_MISMATCH' }) ?? 0) >= 2);
      assert.ok((sample(text, 'inferq_predictions_rejected_total', { code: 'MODEL_NOT_FOUND' }) ?? 0) >= 1);
      // No prediction record was written either.
      const [, keys] = await raw.scan('0', 'MATCH', `${stack.keyPrefix}:prediction:*`, 'COUNT', 10_000);
      assert.deepEqual(keys, []);
    });
  });

  describe('accepted requests', () => {
    it('queues a valid request (depth 1) and a worker that joins later completes it', async () => {
      const data = irisRows(seededRandom(11), 2);
      const submitted = await post(IRIS, { inputs: [features({ shape: [2, 4], data })] });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const { id } = submitted.json();
      // Every prediction job carries a BullMQ priority, so a queued job counts as `prioritized`.
      const queued = (text: string) => (sample(text, 'inferq_queue_depth', { model: 'iris', state: 'waiting' }) ?? 0) + (sample(text, 'inferq_queue_depth', { model: 'iris', state: 'prioritized' }) ?? 0);
      assert.equal(queued(await metrics()), 1);
      const before = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}` });
      assert.equal(before.json().status, 'queued');

      worker = await startWorkerApp(loadWorkerConfig({
        REDIS_URL: redis.url, KEY_PREFIX: stack.keyPrefix, MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', DEVICE: 'cpu', WORKER_ID: `late-${stack.keyPrefix}`,
      }), createLogger('test', 'silent'));

      const polled = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${id}?wait=${WAIT_MS}` });
      const record = polled.json();
      assert.equal(record.status, 'completed', polled.body);
      assert.equal(record.worker.id, `late-${stack.keyPrefix}`);
      const direct = await iris.run('features', data, [2, 4]);
      assert.deepEqual(outputNamed(record.result.outputs, 'probabilities').data, direct.probabilities);
      assert.deepEqual(outputNamed(record.result.outputs, 'label').data, direct.label);
      assert.equal(queued(await metrics()), 0);
      assert.equal(sample(await metrics(), 'inferq_predictions_submitted_total', { model: 'iris', version: '1', transport: 'rest' }), 1);
    });

    const submitAndWait = async (url: string, body: unknown) => {
      const submitted = await post(url, body);
      assert.equal(submitted.statusCode, 202, submitted.body);
      const polled = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${submitted.json().id}?wait=${WAIT_MS}` });
      assert.equal(polled.statusCode, 200);
      const record = polled.json();
      assert.equal(record.status, 'completed', polled.body);
      return { accepted: submitted.json(), record };
    };

    it('returns only the outputs asked for', async () => {
      const data = irisRows(seededRandom(12), 3);
      const direct = await iris.run('features', data, [3, 4]);
      const onlyLabel = await submitAndWait(IRIS, { inputs: [features({ shape: [3, 4], data })], outputs: [{ name: 'label' }] });
      assert.deepEqual(onlyLabel.record.result.outputs, [{ name: 'label', datatype: 'INT64', shape: [3], data: direct.label }]);
      const both = await submitAndWait(IRIS, { inputs: [features({ shape: [3, 4], data })], outputs: [{ name: 'probabilities' }, { name: 'label' }, { name: 'label' }] });
      assert.deepEqual(both.record.result.outputs.map((o: Output) => o.name).sort(), ['label', 'probabilities']);
      const all = await submitAndWait(IRIS, { inputs: [features({ shape: [3, 4], data })] });
      assert.deepEqual(all.record.result.outputs.map((o: Output) => o.name).sort(), ['label', 'probabilities']);
      assert.deepEqual(outputNamed(all.record.result.outputs, 'probabilities'), { name: 'probabilities', datatype: 'FP32', shape: [3, 3], data: direct.probabilities });
    });

    it("echoes the request's id as the result id, and uses the prediction id without one", async () => {
      const withId = await submitAndWait(IRIS, { id: 'client-42', inputs: [features()] });
      assert.notEqual(withId.accepted.id, 'client-42');
      assert.equal(withId.record.id, withId.accepted.id);
      assert.deepEqual({ id: withId.record.result.id, model_name: withId.record.result.model_name, model_version: withId.record.result.model_version }, { id: 'client-42', model_name: 'iris', model_version: '1' });
      const withoutId = await submitAndWait(IRIS, { inputs: [features()] });
      assert.equal(withoutId.record.result.id, withoutId.accepted.id);
    });

    it('accepts nested row-major data and gives the same result as flat data', async () => {
      const data = irisRows(seededRandom(13), 3);
      const nested = [data.slice(0, 4), data.slice(4, 8), data.slice(8, 12)];
      const fromNested = await submitAndWait(IRIS, { inputs: [features({ shape: [3, 4], data: nested })] });
      const fromFlat = await submitAndWait(IRIS, { inputs: [features({ shape: [3, 4], data })] });
      assert.deepEqual(fromNested.record.result.outputs, fromFlat.record.result.outputs);
      assert.deepEqual(outputNamed(fromNested.record.result.outputs, 'label').data, (await iris.run('features', data, [3, 4])).label);
    });

    it('serves the versioned route and reports the record fields', async () => {
      const { accepted, record } = await submitAndWait('/v1/models/iris/versions/1/predictions', { inputs: [features()] });
      assert.deepEqual({ model: accepted.model, version: accepted.version, status: accepted.status }, { model: 'iris', version: '1', status: 'queued' });
      assert.deepEqual({ id: record.id, model: record.model, version: record.version }, { id: accepted.id, model: 'iris', version: '1' });
      assert.equal(typeof record.createdAt, 'number');
      assert.ok(record.timings.batchSize >= 1 && record.timings.batchRequests >= 1);
      assert.equal(record.worker.device, 'cpu');
      const again = await stack.app.inject({ method: 'GET', url: `/v1/predictions/${accepted.id}` });
      assert.deepEqual(again.json(), record);
    });

    it('GET / lists the entry points, the dashboard included', async () => {
      const response = await stack.app.inject({ method: 'GET', url: '/' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), {
        name: 'inferq', docs: '/openapi.json', metrics: '/metrics', models: '/v1/models', websocket: '/v1/ws', dashboard: '/dashboard',
      });
    });

    it('GET /v1/models lists the models and pipelines with their serving settings and signatures', async () => {
      const response = await stack.app.inject({ method: 'GET', url: '/v1/models' });
      assert.equal(response.statusCode, 200);
      const { models } = response.json() as { models: Array<{ name: string; versions: Array<Record<string, unknown>> }> };
      assert.deepEqual(models.map((m) => m.name), ['iris', 'iris-named', 'ocr', 'ocr-det', 'ocr-rec', 'text-orientation']);
      const irisModel = models.find((m) => m.name === 'iris');
      const textModel = models.find((m) => m.name === 'text-orientation');
      assert.equal(irisModel?.versions.length, 1);
      assert.deepEqual(
        { version: irisModel?.versions[0]?.version, maxBatchSize: irisModel?.versions[0]?.maxBatchSize, labels: irisModel?.versions[0]?.labels },
        { version: '1', maxBatchSize: 64, labels: ['setosa', 'versicolor', 'virginica'] },
      );
      assert.deepEqual(irisModel?.versions[0]?.inputs, [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
      assert.deepEqual(irisModel?.versions[0]?.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }, { name: 'label', datatype: 'INT64', shape: [-1] }]);
      assert.equal(textModel?.versions[0]?.maxBatchSize, 32);
      assert.deepEqual(textModel?.versions[0]?.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 48, 192] }]);
      assert.equal(typeof irisModel?.versions[0]?.maxQueueDelayMs, 'number');
    });
  });
});
