/**
 * No secrets and no tensor contents in the logs. The API and a worker run at `trace` with their
 * pino output captured as parsed JSON objects, while traffic carries API keys (Bearer, X-API-Key,
 * WebSocket query), a key created through the admin route, refused keys, and valid and invalid
 * tensors with recognisable values; then no log object may contain any of them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { createLogger } from '@inferq/logger';
import { createApiServices, type ApiServices } from '../../apps/api/src/api-services.js';
import { buildApp } from '../../apps/api/src/app.js';
import { loadApiConfig } from '../../apps/api/src/config.js';
import { loadWorkerConfig } from '../../apps/worker/src/config.js';
import { startWorkerApp, type WorkerApp } from '../../apps/worker/src/worker-app.js';
import { MODELS_DIR } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 10_000;
const ADMIN_KEY = 'Adm1nBootstrapKey-7f3a9c2e5b8d1f4a6c0e9b3d7a2f5c8e';
const CI_KEY = 'CiClientKey-0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a';
const WRONG_KEY = 'WrongKey-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f';
const sha = (key: string) => createHash('sha256').update(key).digest('hex');

/** Recognisable tensor values: none of them may appear in a log line. */
const VALUES = [6.123457, 2.987654, 4.456789, 1.345678];
const STRING_VALUE = 'TensorStringValue-5d4c3b2a';

describe('logs carry no keys and no tensor contents (API and worker at trace)', () => {
  let redis: TestRedis;
  let services: ApiServices;
  let app: FastifyInstance;
  let worker: WorkerApp;
  const lines: string[] = [];
  const destination = { write: (line: string) => { lines.push(line); } };
  const secrets: string[] = [ADMIN_KEY, CI_KEY, WRONG_KEY, sha(ADMIN_KEY), sha(CI_KEY)];

  before(async () => {
    redis = await startTestRedis();
    const env = {
      REDIS_URL: redis.url, KEY_PREFIX: 'loghygiene', MODEL_REPOSITORY: MODELS_DIR, ORT_INTRA_OP_THREADS: '1', LOG_LEVEL: 'trace',
      ADMIN_API_KEY: ADMIN_KEY, API_KEYS: `ci:predict+read:${sha(CI_KEY)}`,
    };
    worker = await startWorkerApp(loadWorkerConfig({ ...env, DEVICE: 'cpu', WORKER_ID: 'log-worker' }), createLogger('worker', 'trace', destination));
    const logger = createLogger('api', 'trace', destination);
    services = await createApiServices(loadApiConfig(env), logger);
    app = await buildApp(services, logger);
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await services?.close();
    await worker?.close();
    await redis?.dispose();
  });

  it('runs traffic with keys and recognisable tensors, then finds none of them in any log object', async () => {
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });
    const irisBody = (data: unknown[]) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data }] });

    const created = await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: auth(ADMIN_KEY), payload: { name: 'made-at-run-time', scopes: ['predict', 'read'] } });
    assert.equal(created.statusCode, 201);
    const madeKey = created.json().key as string;
    secrets.push(madeKey, madeKey.slice(20), sha(madeKey));

    const submitted = await app.inject({ method: 'POST', url: '/v1/models/iris/predictions', headers: auth(CI_KEY), payload: irisBody(VALUES) });
    assert.equal(submitted.statusCode, 202);
    const polled = await app.inject({ method: 'GET', url: `/v1/predictions/${submitted.json().id}?wait=${WAIT_MS}`, headers: { 'x-api-key': CI_KEY } });
    assert.equal(polled.json().status, 'completed');
    const v2 = await app.inject({ method: 'POST', url: '/v2/models/iris/infer', headers: auth(madeKey), payload: irisBody(VALUES) });
    assert.equal(v2.statusCode, 200, v2.body);

    const refusals = [
      await app.inject({ method: 'POST', url: '/v1/models/iris/predictions', headers: auth(WRONG_KEY), payload: irisBody(VALUES) }),
      await app.inject({ method: 'POST', url: '/v1/models/iris/predictions', headers: auth(CI_KEY), payload: irisBody([VALUES[0], STRING_VALUE, 1, 2]) }),
      await app.inject({ method: 'POST', url: '/v1/models/iris/predictions', headers: { ...auth(CI_KEY), 'content-type': 'application/json' }, payload: `{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[${VALUES[1]},1e999,"${STRING_VALUE}"` }),
      await app.inject({ method: 'POST', url: '/v2/models/iris/infer', headers: auth(CI_KEY), payload: { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: VALUES }] } }),
      await app.inject({ method: 'GET', url: `/v1/models?api_key=${CI_KEY}` }),
    ];
    assert.deepEqual(refusals.map((r) => r.statusCode), [401, 400, 400, 400, 401]);

    const socket = (await app.injectWS(`/v1/ws?api_key=${encodeURIComponent(madeKey)}`)) as unknown as WebSocket;
    const received: Array<{ type: string }> = [];
    const done = new Promise<void>((resolve) => {
      socket.on('message', (data: Buffer) => {
        received.push(JSON.parse(data.toString('utf8')));
        if (received.some((m) => m.type === 'result') && received.filter((m) => m.type === 'error').length === 2) resolve();
      });
    });
    socket.send(JSON.stringify({ type: 'predict', model: 'iris', request: irisBody(VALUES) }));
    socket.send(JSON.stringify({ type: 'predict', model: 'iris', request: irisBody([STRING_VALUE, ...VALUES.slice(1)]) }));
    socket.send(Buffer.from(`${STRING_VALUE}${CI_KEY}`), { binary: true });
    await done;
    socket.terminate();
    await assert.rejects(app.injectWS('/v1/ws', { headers: auth(WRONG_KEY) }), /401/);

    // Closing logs too (shutdown lines); read the log after it.
    await app.close();
    await worker.close();

    assert.ok(lines.length >= 3, `captured ${lines.length} log lines`);
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const object of objects) {
      assert.equal(typeof object.level, 'number');
      assert.ok(object.service === 'api' || object.service === 'worker', JSON.stringify(object));
    }
    assert.ok(objects.some((o) => o.service === 'worker'), 'the worker logged');
    // The lines written next to the secrets exist (and are checked below).
    for (const msg of ['api key created', 'api key refused']) assert.ok(objects.some((o) => o.msg === msg), `a "${msg}" line`);
    const values = [...VALUES.map(String), STRING_VALUE];
    for (const [index, line] of lines.entries()) {
      for (const secret of secrets) assert.ok(!line.includes(secret), `log line ${index} holds key material: ${line.slice(0, 300)}`);
      for (const value of values) assert.ok(!line.includes(value), `log line ${index} holds tensor value ${value}: ${line.slice(0, 300)}`);
    }
  });
});
