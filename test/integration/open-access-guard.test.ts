/**
 * While access control is off (no key exists: the default), a web page the user opens must not
 * be able to drive the API (issue 9, A.4): a DNS-rebinding name in `Host`, a foreign `Origin`
 * (HTTP or WebSocket) and a first key minted from another machine are refused with registry
 * codes; loopback names, IP literals, same-origin pages and the configured `ALLOWED_HOSTS` /
 * `ALLOWED_ORIGINS` pass. Once access control is on, keys decide and the guard steps aside.
 * Real Redis, the real app through `inject` / `injectWS`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { WebSocket } from 'ws';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const NEW_KEY = { name: 'first', scopes: ['admin'] };

function assertError(response: LightMyRequestResponse, status: number, code: string, context = ''): void {
  assert.equal(response.statusCode, status, `${context} ${response.body}`);
  assert.equal(response.json().error.code, code, `${context} ${response.body}`);
}

describe('the API with access control off refuses cross-site and rebinding requests', () => {
  let redis: TestRedis;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await redis?.dispose();
  });

  describe('defaults', () => {
    let stack: InProcessStack;
    before(async () => {
      stack = await startInProcessStack(redis.url, { workers: 0 });
    });
    after(async () => stack?.close());

    it('refuses a DNS-rebinding Host name on protected routes, and creates no key', async () => {
      const minted = await stack.app.inject({ method: 'POST', url: '/v1/admin/keys', headers: { host: 'rebind.evil.example' }, payload: NEW_KEY });
      assertError(minted, 403, 'HOST_NOT_ALLOWED');
      assert.match(minted.json().error.message, /rebind\.evil\.example/);
      assert.match(minted.json().error.message, /ALLOWED_HOSTS/);
      assertError(await stack.app.inject({ url: '/v1/models', headers: { host: 'rebind.evil.example:3000' } }), 403, 'HOST_NOT_ALLOWED');
      assert.equal(await stack.services.auth.keys.enabled(), false, 'access control is still off');
    });

    it('takes loopback names and IP literals, and leaves the open routes (probes) alone', async () => {
      for (const host of ['localhost', 'localhost:3000', 'LOCALHOST.:3000', 'api.localhost', '127.0.0.1:3000', '[::1]:3000', '10.0.3.7:3000', '[fd00::7]']) {
        assert.equal((await stack.app.inject({ url: '/v1/models', headers: { host } })).statusCode, 200, host);
      }
      assert.equal((await stack.app.inject({ url: '/v2/health/live', headers: { host: 'rebind.evil.example' } })).statusCode, 200);
    });

    it('refuses a foreign Origin over HTTP, takes the same origin', async () => {
      assertError(await stack.app.inject({ method: 'POST', url: '/v1/admin/keys', headers: { host: '127.0.0.1:3000', origin: 'https://evil.example' }, payload: NEW_KEY }), 403, 'ORIGIN_NOT_ALLOWED');
      assertError(await stack.app.inject({ url: '/v1/models', headers: { host: '127.0.0.1:3000', origin: 'null' } }), 403, 'ORIGIN_NOT_ALLOWED');
      assert.equal((await stack.app.inject({ url: '/v1/models', headers: { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' } })).statusCode, 200);
    });

    it('refuses a WebSocket from a foreign origin or a rebinding name, takes a same-origin one', async () => {
      await assert.rejects(stack.app.injectWS('/v1/ws', { headers: { host: '127.0.0.1:3000', origin: 'https://evil.example' } }), /403/);
      await assert.rejects(stack.app.injectWS('/v1/ws', { headers: { host: 'rebind.evil.example:3000', origin: 'http://rebind.evil.example:3000' } }), /403/);
      const socket = (await stack.app.injectWS('/v1/ws', { headers: { host: 'localhost:3000', origin: 'http://localhost:3000' } })) as unknown as WebSocket;
      sockets.push(socket);
      const answer = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString())));
      socket.send(JSON.stringify({ type: 'nope' }));
      assert.match(await answer, /INVALID_MESSAGE/);
    });

    it('creates the first key only from a loopback address', async () => {
      const remote = await stack.app.inject({ method: 'POST', url: '/v1/admin/keys', remoteAddress: '192.0.2.10', payload: NEW_KEY });
      assertError(remote, 403, 'LOOPBACK_REQUIRED');
      assert.match(remote.json().error.message, /ADMIN_API_KEY/);
      const local = await stack.app.inject({ method: 'POST', url: '/v1/admin/keys', remoteAddress: '::ffff:127.0.0.1', payload: NEW_KEY });
      assert.equal(local.statusCode, 201, local.body);
      const key = local.json().key as string;

      // Access control is on now: keys decide, from anywhere, under any name.
      assertError(await stack.app.inject({ url: '/v1/models', headers: { host: 'rebind.evil.example' } }), 401, 'UNAUTHORIZED');
      const withKey = await stack.app.inject({
        method: 'POST', url: '/v1/admin/keys', remoteAddress: '192.0.2.10',
        headers: { host: 'inferq.example.com', origin: 'https://console.example.com', authorization: `Bearer ${key}` }, payload: { name: 'second', scopes: ['read'] },
      });
      assert.equal(withKey.statusCode, 201, withKey.body);
    });
  });

  describe('ALLOWED_HOSTS and ALLOWED_ORIGINS (a service name in docker compose or Kubernetes)', () => {
    let stack: InProcessStack;
    before(async () => {
      stack = await startInProcessStack(redis.url, { workers: 0, env: { ALLOWED_HOSTS: 'inferq-api,.svc.cluster.local', ALLOWED_ORIGINS: 'https://app.example.com' } });
    });
    after(async () => stack?.close());

    it('takes the configured names (a leading dot: any subdomain) and still refuses others', async () => {
      for (const host of ['inferq-api:3000', 'inferq-api', 'inferq.default.svc.cluster.local:3000']) {
        assert.equal((await stack.app.inject({ url: '/v1/models', headers: { host } })).statusCode, 200, host);
      }
      assertError(await stack.app.inject({ url: '/v1/models', headers: { host: 'inferq-api.evil.example' } }), 403, 'HOST_NOT_ALLOWED');
    });

    it('takes WebSockets from the configured origin only', async () => {
      const socket = (await stack.app.injectWS('/v1/ws', { headers: { host: 'inferq-api:3000', origin: 'https://app.example.com' } })) as unknown as WebSocket;
      sockets.push(socket);
      await assert.rejects(stack.app.injectWS('/v1/ws', { headers: { host: 'inferq-api:3000', origin: 'https://evil.example' } }), /403/);
    });
  });
});
