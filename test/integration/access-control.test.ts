/**
 * Access control against a real Redis, BullMQ and onnxruntime, through `inject` / `injectWS`:
 * - off with no key (quick start), on once the first key is created, on every replica, and it
 *   stays on when that key is revoked;
 * - 401 / 403 for missing, wrong and under-scoped keys on REST, v2 and the WebSocket upgrade;
 *   admin routes (keys, dead letters) need `admin`; health and /metrics stay open;
 * - keys created, listed and revoked through `/v1/admin/keys`, stored only as hashes;
 * - a prediction is visible to its submitter and admins only (REST, long-poll, WebSocket);
 * - per-key rate limits shared by two replicas (REST, v2, WebSocket), security headers, CORS.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { redisKeys, type WsServerMessage } from '@inferq/contract';
import { createRedisConnection } from '@inferq/redis';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const WAIT_MS = 10_000;
const sha = (key: string) => createHash('sha256').update(key).digest('hex');
const CI_KEY = 'ci-key-0123456789abcdef0123456789abcdef';
const READER_KEY = 'reader-key-0123456789abcdef0123456789abcdef';
const SUBMITTER_KEY = 'submitter-key-0123456789abcdef0123456789ab';
const ADMIN_KEY = 'admin-key-0123456789abcdef0123456789abcdef';
const API_KEYS = [`ci:predict+read:${sha(CI_KEY)}`, `reader:read:${sha(READER_KEY)}`, `submitter:predict:${sha(SUBMITTER_KEY)}`].join(',');

const IRIS = '/v1/models/iris/predictions';
const irisBody = (data = [5.1, 3.5, 1.4, 0.2]) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data }] });

interface Call { method?: 'GET' | 'POST' | 'DELETE' | 'OPTIONS'; url: string; key?: string; payload?: unknown; headers?: Record<string, string> }

function call(app: FastifyInstance, { method = 'GET', url, key, payload, headers = {} }: Call): Promise<LightMyRequestResponse> {
  return app.inject({
    method, url,
    headers: { ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}), ...headers },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

function assertError(response: LightMyRequestResponse, status: number, code: string, context = ''): void {
  assert.equal(response.statusCode, status, `${context} ${response.body}`);
  const body = response.json();
  // REST: { error: { code, message } }; v2: { error: message, code }.
  assert.equal(body.error?.code ?? body.code, code, `${context} ${response.body}`);
}

const messageOf = (response: LightMyRequestResponse): string => {
  const body = response.json();
  return typeof body.error === 'string' ? body.error : body.error.message;
};

/** Waits up to `ms` for `check` to hold (for effects that take at most the key cache time elsewhere). */
async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`condition not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A client WebSocket with its received messages. */
class Inbox {
  readonly messages: WsServerMessage[] = [];
  closeCode: number | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString('utf8')) as WsServerMessage);
      this.#wake();
    });
    socket.on('close', (code: number) => {
      this.closeCode = code;
      this.#wake();
    });
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  async until<T>(find: () => T | undefined, timeoutMs = WAIT_MS): Promise<T> {
    const found = find();
    if (found !== undefined) return found;
    return new Promise<T>((resolve, reject) => {
      const wake = () => {
        const match = find();
        if (match === undefined) return;
        cleanup();
        resolve(match);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out; received ${JSON.stringify(this.messages).slice(0, 400)}, close ${this.closeCode}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      this.#waiters.add(wake);
    });
  }

  next(predicate: (m: WsServerMessage) => boolean): Promise<WsServerMessage> {
    return this.until(() => this.messages.find(predicate));
  }
}

const sockets: WebSocket[] = [];
/**
 * Ends the sockets on both sides before a stack closes: `injectWS` streams never end on their own,
 * so a socket the server closed (4401) would hold its 30 s close-handshake timer.
 */
const terminateSockets = (...stacks: Array<InProcessStack | undefined>) => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const stack of stacks) for (const client of stack?.app.websocketServer.clients ?? []) client.terminate();
};
async function openSocket(app: FastifyInstance, url = '/v1/ws', headers: Record<string, string> = {}): Promise<Inbox> {
  const socket = (await app.injectWS(url, { headers })) as unknown as WebSocket;
  sockets.push(socket);
  return new Inbox(socket);
}

describe('access control (real Redis, BullMQ, onnxruntime)', () => {
  let redis: TestRedis;
  let raw: Redis;

  before(async () => {
    redis = await startTestRedis();
    raw = createRedisConnection(redis.url, 'worker');
  });
  after(async () => {
    await raw?.quit();
    await redis?.dispose();
  });

  describe('with no key configured', () => {
    let a: InProcessStack;
    let b: InProcessStack;

    before(async () => {
      a = await startInProcessStack(redis.url, { workers: 1 });
      b = await startInProcessStack(redis.url, { workers: 0, env: { KEY_PREFIX: a.keyPrefix } });
    });
    after(async () => {
      terminateSockets(a, b);
      await b?.close();
      await a?.close();
    });

    let anonymousId: string;

    it('is open: submit, read and the WebSocket need no header (quick start)', async () => {
      const submitted = await call(a.app, { method: 'POST', url: IRIS, payload: irisBody() });
      assert.equal(submitted.statusCode, 202, submitted.body);
      anonymousId = submitted.json().id;
      const read = await call(a.app, { url: `/v1/predictions/${anonymousId}?wait=${WAIT_MS}` });
      assert.equal(read.json().status, 'completed');
      assert.equal(await raw.hget(`${a.keyPrefix}:prediction:${anonymousId}`, 'owner'), null, 'no owner without access control');
      const inbox = await openSocket(a.app);
      inbox.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'open' });
      await inbox.next((m) => m.type === 'accepted');
      assert.equal((await call(a.app, { url: '/v1/models' })).statusCode, 200);
    });

    it('sends the security headers, no CORS and no HSTS by default', async () => {
      for (const response of [await call(a.app, { url: '/v1/models' }), await call(a.app, { url: '/nope' }), await call(a.app, { method: 'POST', url: IRIS, payload: {} })]) {
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
        assert.equal(response.headers['x-frame-options'], 'DENY');
        assert.equal(response.headers['referrer-policy'], 'no-referrer');
        assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
        assert.equal(response.headers['strict-transport-security'], undefined);
        assert.equal(response.headers['access-control-allow-origin'], undefined);
      }
      const preflight = await call(a.app, { method: 'OPTIONS', url: IRIS, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    });

    it('turns on for every replica once the first key is created, and stays on after it is revoked', async () => {
      const created = await call(a.app, { method: 'POST', url: '/v1/admin/keys', payload: { name: 'first', scopes: ['admin'] } });
      assert.equal(created.statusCode, 201, created.body);
      const { key, id } = created.json();

      assertError(await call(a.app, { method: 'POST', url: IRIS, payload: irisBody() }), 401, 'UNAUTHORIZED', 'same replica at once');
      await eventually(async () => (await call(b.app, { url: '/v1/models' })).statusCode === 401);
      assert.equal((await call(b.app, { url: '/v1/models', key })).statusCode, 200, 'the new key works on the other replica');
      // Predictions from before access control have no owner: readable with `read`.
      assert.equal((await call(b.app, { url: `/v1/predictions/${anonymousId}`, key })).statusCode, 200);

      assert.equal((await call(a.app, { method: 'DELETE', url: `/v1/admin/keys/${id}`, key })).statusCode, 200);
      assertError(await call(a.app, { url: '/v1/models', key }), 401, 'UNAUTHORIZED', 'revoked');
      assertError(await call(a.app, { url: '/v1/models' }), 401, 'UNAUTHORIZED', 'still on with only a revoked key');
      assert.equal((await call(a.app, { url: '/v2/health/ready' })).statusCode, 200, 'health stays open');
    });
  });

  describe('with keys configured', () => {
    let stack: InProcessStack;
    let keyPrefix: string;

    before(async () => {
      stack = await startInProcessStack(redis.url, { workers: 1, env: { API_KEYS, ADMIN_API_KEY: ADMIN_KEY } });
      keyPrefix = stack.keyPrefix;
    });
    after(async () => {
      terminateSockets(stack);
      await stack?.close();
    });

    it('answers 401 UNAUTHORIZED with a Bearer challenge to missing, malformed and unknown keys, before reading the body', async () => {
      const cases: Array<[string, Record<string, string>]> = [
        ['no key', {}],
        ['unknown key', { authorization: `Bearer ${CI_KEY}x` }],
        ['issued form, unknown id', { authorization: `Bearer iq_0123456789abcdef_${'A'.repeat(43)}` }],
        ['Basic scheme', { authorization: `Basic ${Buffer.from(`u:${CI_KEY}`).toString('base64')}` }],
        ['empty bearer', { authorization: 'Bearer ' }],
        ['key in the query (REST does not read it)', {}],
        ['over-long key', { 'x-api-key': 'k'.repeat(10_000) }],
      ];
      for (const [title, headers] of cases) {
        const url = title.startsWith('key in the query') ? `${IRIS}?api_key=${CI_KEY}` : IRIS;
        // Invalid JSON: a 401 (not 400) shows the body was never parsed.
        const response = await stack.app.inject({ method: 'POST', url, payload: '{"inputs": [', headers: { 'content-type': 'application/json', ...headers } });
        assertError(response, 401, 'UNAUTHORIZED', title);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="inferq"', title);
        assert.equal(response.headers['x-content-type-options'], 'nosniff', title);
      }
      const v2 = await call(stack.app, { method: 'POST', url: '/v2/models/iris/infer', payload: irisBody() });
      assert.equal(v2.statusCode, 401);
      assert.deepEqual(Object.keys(v2.json()).sort(), ['code', 'error']);
      assert.equal(v2.json().code, 'UNAUTHORIZED');
    });

    it('takes the key as Bearer or X-API-Key', async () => {
      assert.equal((await call(stack.app, { url: '/v1/models', key: CI_KEY })).statusCode, 200);
      assert.equal((await call(stack.app, { url: '/v1/models', headers: { 'x-api-key': CI_KEY } })).statusCode, 200);
      assert.equal((await call(stack.app, { url: '/v1/models', headers: { authorization: `bearer   ${CI_KEY}` } })).statusCode, 200);
    });

    it('every route declares its access in its config, and the policy is the documented one', () => {
      // The audit table: a route added, removed or re-scoped changes this list (and docs/api.md with it).
      const expected: Record<string, string> = {
        'GET /': 'public', 'GET /openapi.json': 'public', 'GET /metrics': 'public',
        'GET /dashboard': 'public', 'GET /dashboard/:file': 'public',
        'GET /v2': 'public', 'GET /v2/health/live': 'public', 'GET /v2/health/ready': 'public',
        'GET /v2/models/:model/ready': 'public', 'GET /v2/models/:model/versions/:version/ready': 'public',
        'POST /v1/models/:model/predictions': 'predict', 'POST /v1/models/:model/versions/:version/predictions': 'predict',
        'POST /v2/models/:model/infer': 'predict', 'POST /v2/models/:model/versions/:version/infer': 'predict',
        'GET /v1/predictions/:id': 'read', 'GET /v1/models': 'read',
        'GET /v2/models/:model': 'read', 'GET /v2/models/:model/versions/:version': 'read',
        'GET /v1/models/:model/versions/:version/batching': 'read',
        'GET /v1/models/:model/versions/:version/drift': 'read', 'GET /v1/models/:model/versions/:version/series': 'read',
        'GET /v1/alerts': 'read', 'GET /v1/monitoring/status': 'read',
        'GET /v1/ws': 'authenticated',
        'PUT /v1/models/:model/versions/:version/batching': 'admin', 'DELETE /v1/models/:model/versions/:version/batching': 'admin',
        'PUT /v1/models/:model/versions/:version/reference': 'admin',
        'GET /v1/models/:model': 'read', 'POST /v1/models/:model/versions': 'admin',
        'POST /v1/models/:model/versions/:version/load': 'admin', 'POST /v1/models/:model/versions/:version/unload': 'admin',
        'GET /v1/predictions/log': 'admin', 'POST /v1/predictions/:id/feedback': 'admin',
        'GET /v1/models/:model/failed': 'admin', 'POST /v1/predictions/:id/retry': 'admin',
        'POST /v1/admin/keys': 'admin', 'GET /v1/admin/keys': 'admin', 'DELETE /v1/admin/keys/:id': 'admin',
        'POST /v1/models/:model/batches': 'predict', 'POST /v1/models/:model/versions/:version/batches': 'predict',
        'GET /v1/batches/:id': 'read', 'GET /v1/batches/:id/results': 'read', 'DELETE /v1/batches/:id': 'predict',
        'POST /v1/schedules': 'predict', 'GET /v1/schedules': 'read', 'DELETE /v1/schedules/:id': 'predict',
        'GET /v1/models/:model/traffic': 'read', 'GET /v1/models/:model/traffic/history': 'read',
        'GET /v1/models/:model/versions/:version/comparison': 'read',
        'PUT /v1/models/:model/traffic': 'admin', 'DELETE /v1/models/:model/traffic': 'admin', 'POST /v1/models/:model/traffic/rollback': 'admin',
        'GET /v1/models/:model/rollouts': 'read', 'GET /v1/models/:model/rollouts/:id': 'read', 'GET /v1/models/:model/versions/:version/stats': 'read',
        'POST /v1/models/:model/rollouts': 'admin', 'POST /v1/models/:model/rollouts/:id/approve': 'admin', 'POST /v1/models/:model/rollouts/:id/pause': 'admin',
        'POST /v1/models/:model/rollouts/:id/resume': 'admin', 'POST /v1/models/:model/rollouts/:id/abort': 'admin',
      };
      assert.deepEqual(Object.fromEntries([...stack.app.routeAccess()].sort()), Object.fromEntries(Object.entries(expected).sort()));
    });

    it('keeps health, readiness, server metadata, /metrics and the OpenAPI document open', async () => {
      for (const url of ['/v2/health/live', '/v2/health/ready', '/v2/models/iris/ready', '/v2/models/iris/versions/1/ready', '/v2', '/metrics', '/openapi.json', '/']) {
        assert.equal((await call(stack.app, { url })).statusCode, 200, url);
      }
      assertError(await call(stack.app, { url: '/nope' }), 404, 'ROUTE_NOT_FOUND');
    });

    it('answers 403 FORBIDDEN to a key without the route\'s scope', async () => {
      const checks: Array<[Call, number | 'forbidden']> = [
        [{ method: 'POST', url: IRIS, key: READER_KEY, payload: irisBody() }, 'forbidden'],
        [{ method: 'POST', url: '/v2/models/iris/infer', key: READER_KEY, payload: irisBody() }, 'forbidden'],
        [{ url: '/v1/models', key: SUBMITTER_KEY }, 'forbidden'],
        [{ url: '/v2/models/iris', key: SUBMITTER_KEY }, 'forbidden'],
        [{ url: '/v1/models', key: READER_KEY }, 200],
        [{ url: '/v2/models/iris/versions/1', key: READER_KEY }, 200],
        [{ method: 'POST', url: IRIS, key: SUBMITTER_KEY, payload: irisBody() }, 202],
        [{ url: '/v1/admin/keys', key: CI_KEY }, 'forbidden'],
        [{ method: 'POST', url: '/v1/admin/keys', key: CI_KEY, payload: { name: 'x', scopes: ['admin'] } }, 'forbidden'],
        [{ url: '/v1/models/iris/failed', key: CI_KEY }, 'forbidden'],
        [{ method: 'POST', url: '/v1/predictions/AAAAAAAAAAAAAAAAAAAAAA/retry', key: CI_KEY }, 'forbidden'],
        [{ url: '/v1/models/iris/failed', key: ADMIN_KEY }, 200],
        [{ url: '/v1/admin/keys', key: ADMIN_KEY }, 200],
      ];
      for (const [request, expected] of checks) {
        const response = await call(stack.app, request);
        const context = `${request.method ?? 'GET'} ${request.url}`;
        if (expected === 'forbidden') {
          assertError(response, 403, 'FORBIDDEN', context);
          assert.match(messageOf(response), /lacks the "(predict|read|admin)" scope/, context);
        } else {
          assert.equal(response.statusCode, expected, `${context} ${response.body}`);
        }
      }
    });

    it('creates, lists and revokes keys; only hashes are stored; the key is shown once', async () => {
      const created = await call(stack.app, { method: 'POST', url: '/v1/admin/keys', key: ADMIN_KEY, payload: { name: 'batch-client', scopes: ['predict', 'read'] } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'no-store');
      const info = created.json();
      assert.match(info.key, /^iq_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.equal(info.key.slice(3, 19), info.id);
      assert.deepEqual({ ...info, key: undefined, createdAt: undefined }, { id: info.id, name: 'batch-client', scopes: ['predict', 'read'], source: 'redis', key: undefined, createdAt: undefined });

      const stored = await raw.hget(redisKeys(keyPrefix).apiKeys, info.id);
      assert.ok(stored);
      assert.ok(!stored.includes(info.key.slice(20)), 'the secret is not stored');
      assert.equal(JSON.parse(stored).sha256, sha(info.key));

      const listed = await call(stack.app, { url: '/v1/admin/keys', key: ADMIN_KEY });
      assert.ok(!listed.body.includes(info.key) && !listed.body.includes(sha(info.key)) && !listed.body.includes(sha(CI_KEY)), 'no key or hash listed');
      assert.deepEqual(listed.json().keys.map((k: { id: string; source: string }) => `${k.source}:${k.id}`),
        ['config:env:ci', 'config:env:reader', 'config:env:submitter', 'config:env:admin', `redis:${info.id}`]);

      assert.equal((await call(stack.app, { method: 'POST', url: IRIS, key: info.key, payload: irisBody() })).statusCode, 202);
      const revoked = await call(stack.app, { method: 'DELETE', url: `/v1/admin/keys/${info.id}`, key: ADMIN_KEY });
      assert.equal(revoked.statusCode, 200);
      assert.equal(typeof revoked.json().revokedAt, 'number');
      assertError(await call(stack.app, { method: 'POST', url: IRIS, key: info.key, payload: irisBody() }), 401, 'UNAUTHORIZED', 'after revocation');
      assert.equal((await call(stack.app, { method: 'DELETE', url: `/v1/admin/keys/${info.id}`, key: ADMIN_KEY })).statusCode, 200, 'idempotent');

      assertError(await call(stack.app, { method: 'DELETE', url: '/v1/admin/keys/0123456789abcdef', key: ADMIN_KEY }), 404, 'API_KEY_NOT_FOUND');
      assertError(await call(stack.app, { method: 'DELETE', url: '/v1/admin/keys/env:ci', key: ADMIN_KEY }), 404, 'API_KEY_NOT_FOUND');
      for (const payload of [{ name: 'x', scopes: [] }, { name: 'x', scopes: ['root'] }, { name: '../x', scopes: ['read'] }, { name: 'x', scopes: ['read'], extra: 1 }, { name: 'ci', scopes: ['read'] }]) {
        assertError(await call(stack.app, { method: 'POST', url: '/v1/admin/keys', key: ADMIN_KEY, payload }), 400, 'INVALID_REQUEST', JSON.stringify(payload));
      }
    });

    it('shows a prediction only to the key that submitted it and to admins (REST and long-poll answer 404)', async () => {
      const other = (await call(stack.app, { method: 'POST', url: '/v1/admin/keys', key: ADMIN_KEY, payload: { name: 'other', scopes: ['predict', 'read'] } })).json().key as string;
      const submitted = await call(stack.app, { method: 'POST', url: IRIS, key: CI_KEY, payload: irisBody() });
      const { id } = submitted.json();
      assert.equal(await raw.hget(`${keyPrefix}:prediction:${id}`, 'owner'), 'env:ci');

      const own = await call(stack.app, { url: `/v1/predictions/${id}?wait=${WAIT_MS}`, key: CI_KEY });
      assert.equal(own.json().status, 'completed');
      assert.equal(own.json().owner, undefined, 'the owner is not shown');
      for (const url of [`/v1/predictions/${id}`, `/v1/predictions/${id}?wait=50`]) {
        const response = await call(stack.app, { url, key: other });
        assertError(response, 404, 'PREDICTION_NOT_FOUND', url);
        const unknown = await call(stack.app, { url: url.replace(id, 'AAAAAAAAAAAAAAAAAAAAAA'), key: other });
        assert.equal(response.json().error.message.replace(id, '<id>'), unknown.json().error.message.replace('AAAAAAAAAAAAAAAAAAAAAA', '<id>'), 'same answer as for an id that does not exist');
      }
      assert.equal((await call(stack.app, { url: `/v1/predictions/${id}`, key: ADMIN_KEY })).json().status, 'completed');
    });

    describe('WebSocket', () => {
      it('refuses the upgrade with HTTP 401 without a valid key; takes the header or ?api_key=', async () => {
        await assert.rejects(stack.app.injectWS('/v1/ws'), /401/);
        await assert.rejects(stack.app.injectWS(`/v1/ws?api_key=${CI_KEY}x`), /401/);
        await assert.rejects(stack.app.injectWS('/v1/ws', { headers: { authorization: 'Bearer nope' } }), /401/);
        for (const inbox of [await openSocket(stack.app, '/v1/ws', { authorization: `Bearer ${CI_KEY}` }), await openSocket(stack.app, `/v1/ws?api_key=${encodeURIComponent(CI_KEY)}`)]) {
          inbox.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'r' });
          const accepted = await inbox.next((m) => m.type === 'accepted');
          await inbox.next((m) => m.type === 'result' && m.id === (accepted as { id: string }).id);
        }
      });

      it('checks scopes per message and hides other keys\' predictions from subscribe', async () => {
        const { id } = (await call(stack.app, { method: 'POST', url: IRIS, key: CI_KEY, payload: irisBody() })).json();
        const reader = await openSocket(stack.app, '/v1/ws', { 'x-api-key': READER_KEY });
        reader.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'p' });
        const refused = await reader.next((m) => m.type === 'error' && m.ref === 'p');
        assert.equal((refused as { error: { code: string } }).error.code, 'FORBIDDEN');
        reader.send({ type: 'subscribe', ids: [id], ref: 's' });
        const hidden = await reader.next((m) => m.type === 'error' && m.ref === 's');
        assert.equal((hidden as { error: { code: string } }).error.code, 'PREDICTION_NOT_FOUND');

        const submitter = await openSocket(stack.app, '/v1/ws', { 'x-api-key': SUBMITTER_KEY });
        submitter.send({ type: 'subscribe', ids: [id], ref: 's2' });
        assert.equal(((await submitter.next((m) => m.type === 'error' && m.ref === 's2')) as { error: { code: string } }).error.code, 'FORBIDDEN');

        const owner = await openSocket(stack.app, '/v1/ws', { 'x-api-key': CI_KEY });
        owner.send({ type: 'subscribe', ids: [id] });
        await owner.next((m) => m.type === 'result' && m.id === id);
        const admin = await openSocket(stack.app, '/v1/ws', { 'x-api-key': ADMIN_KEY });
        admin.send({ type: 'subscribe', ids: [id] });
        await admin.next((m) => m.type === 'result' && m.id === id);
        assert.equal(reader.messages.filter((m) => m.type === 'result').length, 0, 'the reader never got the result');
      });

      it('closes a socket with 4401 at its next message once its key is revoked', async () => {
        const created = (await call(stack.app, { method: 'POST', url: '/v1/admin/keys', key: ADMIN_KEY, payload: { name: 'short-lived', scopes: ['predict'] } })).json();
        const inbox = await openSocket(stack.app, '/v1/ws', { authorization: `Bearer ${created.key}` });
        inbox.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'before' });
        await inbox.next((m) => m.type === 'accepted');
        await call(stack.app, { method: 'DELETE', url: `/v1/admin/keys/${created.id}`, key: ADMIN_KEY });
        inbox.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'after' });
        assert.equal(await inbox.until(() => inbox.closeCode), 4401);
        assert.equal(inbox.messages.filter((m) => m.type === 'accepted').length, 1);
      });
    });
  });

  describe('rate limits across two replicas', () => {
    let a: InProcessStack;
    let b: InProcessStack;
    const env = { API_KEYS, RATE_LIMIT_PER_SECOND: '2', RATE_LIMIT_BURST: '3' };

    before(async () => {
      a = await startInProcessStack(redis.url, { workers: 1, env });
      b = await startInProcessStack(redis.url, { workers: 0, env: { ...env, KEY_PREFIX: a.keyPrefix } });
    });
    after(async () => {
      terminateSockets(a, b);
      await b?.close();
      await a?.close();
    });

    it('allows the burst, then answers 429 RATE_LIMITED with Retry-After on either replica, per key', async () => {
      const statuses = [];
      for (const app of [a.app, b.app, a.app]) statuses.push((await call(app, { method: 'POST', url: IRIS, key: CI_KEY, payload: irisBody() })).statusCode);
      assert.deepEqual(statuses, [202, 202, 202]);
      for (const app of [a.app, b.app]) {
        const limited = await call(app, { method: 'POST', url: IRIS, key: CI_KEY, payload: irisBody() });
        assertError(limited, 429, 'RATE_LIMITED');
        assert.equal(limited.headers['retry-after'], '1');
        assert.match(messageOf(limited), /2 predictions per second; retry in \d+ ms/);
      }
      const v2 = await call(b.app, { method: 'POST', url: '/v2/models/iris/infer', key: CI_KEY, payload: irisBody() });
      assert.equal(v2.statusCode, 429);
      assert.equal(v2.json().code, 'RATE_LIMITED');
      // Another key has its own budget; reads are not limited.
      assert.equal((await call(a.app, { method: 'POST', url: IRIS, key: SUBMITTER_KEY, payload: irisBody() })).statusCode, 202);
      for (let i = 0; i < 5; i++) assert.equal((await call(a.app, { url: '/v1/models', key: CI_KEY })).statusCode, 200);
    });

    it('limits WebSocket predicts with an error carrying retryAfterMs, and lets them through after it', async () => {
      const inbox = await openSocket(b.app, '/v1/ws', { authorization: `Bearer ${READER_KEY}` });
      inbox.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'no-scope' });
      assert.equal(((await inbox.next((m) => m.type === 'error' && m.ref === 'no-scope')) as { error: { code: string } }).error.code, 'FORBIDDEN');

      const submitter = await openSocket(b.app, '/v1/ws', { authorization: `Bearer ${SUBMITTER_KEY}` });
      let limited: (WsServerMessage & { type: 'error' }) | undefined;
      for (let i = 0; i < 5 && !limited; i++) {
        submitter.send({ type: 'predict', model: 'iris', request: irisBody(), ref: `p${i}` });
        const answer = await submitter.next((m) => (m.type === 'accepted' || m.type === 'error') && m.ref === `p${i}`);
        if (answer.type === 'error') limited = answer;
      }
      assert.ok(limited, 'limited within 5 predicts');
      assert.equal(limited.error.code, 'RATE_LIMITED');
      assert.ok(limited.retryAfterMs! > 0 && limited.retryAfterMs! <= 500, String(limited.retryAfterMs));
      await new Promise((resolve) => setTimeout(resolve, limited.retryAfterMs! + 20)); // the limit itself is time
      submitter.send({ type: 'predict', model: 'iris', request: irisBody(), ref: 'later' });
      assert.equal((await submitter.next((m) => (m.type === 'accepted' || m.type === 'error') && m.ref === 'later')).type, 'accepted');
    });
  });

  describe('CORS and HSTS when configured', () => {
    let stack: InProcessStack;

    before(async () => {
      stack = await startInProcessStack(redis.url, { workers: 0, env: { API_KEYS, CORS_ORIGINS: 'https://app.example.com', HSTS_MAX_AGE_SECONDS: '31536000', METRICS_REQUIRE_AUTH: 'true' } });
    });
    after(async () => stack?.close());

    it('answers preflights from allowed origins without a key, and only those', async () => {
      const preflight = await call(stack.app, { method: 'OPTIONS', url: IRIS, headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
      const fromElsewhere = await call(stack.app, { method: 'OPTIONS', url: IRIS, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(fromElsewhere.headers['access-control-allow-origin'], undefined);

      const get = await call(stack.app, { url: '/v1/models', key: CI_KEY, headers: { origin: 'https://app.example.com' } });
      assert.equal(get.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.match(String(get.headers['access-control-expose-headers']), /location/);
      assert.equal(get.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    });

    it('puts /metrics behind `read` with METRICS_REQUIRE_AUTH', async () => {
      assertError(await call(stack.app, { url: '/metrics' }), 401, 'UNAUTHORIZED');
      assertError(await call(stack.app, { url: '/metrics', key: SUBMITTER_KEY }), 403, 'FORBIDDEN');
      assert.equal((await call(stack.app, { url: '/metrics', key: READER_KEY })).statusCode, 200);
    });
  });
});
