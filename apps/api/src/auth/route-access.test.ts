import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { accessControlPlugin, type AccessControl } from './access-control.js';
import { ANONYMOUS, hasScope, ownerOf, viewerOf, type Principal } from './principal.js';
import { neededAccess } from './route-access.js';

describe('neededAccess', () => {
  it('is the route\'s declared access', () => {
    assert.equal(neededAccess('POST', '/v1/models/:model/predictions', 'predict'), 'predict');
    assert.equal(neededAccess('GET', '/v2/health/live', 'public'), 'public');
    assert.equal(neededAccess('HEAD', '/v2/health/live', 'public'), 'public');
  });

  it('needs admin for a matched route that declares nothing', () => {
    assert.equal(neededAccess('GET', '/v1/some-new-route', undefined), 'admin');
  });

  it('lets unmatched requests and CORS preflights through to their own answers', () => {
    assert.equal(neededAccess('GET', undefined, undefined), 'public');
    assert.equal(neededAccess('OPTIONS', '*', undefined), 'public');
  });
});

describe('accessControlPlugin', () => {
  /** The plugin around a key store with access control off (the only part it reads at start-up). */
  async function appWith(register: (app: FastifyInstance) => void): Promise<FastifyInstance> {
    const app = Fastify();
    const fakeServices = fp(async (instance) => {
      instance.decorate('accessControl', { keys: { enabled: async () => false } } as unknown as AccessControl);
    }, { name: 'inferq-services' });
    await app.register(fakeServices);
    await app.register(accessControlPlugin);
    register(app);
    return app;
  }

  it('refuses to start with a route that declares no access', async () => {
    await assert.rejects(async () => {
      const app = await appWith((a) => {
        void a.register(async (plugin) => {
          plugin.get('/declared', { config: { access: 'read' } }, async () => 'ok');
          plugin.get('/forgotten', async () => 'ok');
        }, { prefix: '/v1' });
      });
      await app.ready();
    }, /GET \/v1\/forgotten declares no config\.access/);
  });

  it('lists every route\'s access, prefixes included, without HEAD', async () => {
    const app = await appWith((a) => {
      void a.register(async (v1) => {
        v1.post('/things', { config: { access: 'predict' } }, async () => 'ok');
        v1.get('/things/:id', { config: { access: 'public' } }, async () => 'ok');
      }, { prefix: '/v1' });
    });
    await app.ready();
    assert.deepEqual([...app.routeAccess()], [['POST /v1/things', 'predict'], ['GET /v1/things/:id', 'public']]);
    await app.close();
  });
});

describe('principals', () => {
  const key = (...scopes: Array<'predict' | 'read' | 'admin'>): Principal => ({ kind: 'key', id: 'abc', name: 'k', scopes });

  it('admin holds every scope; others only their own; anonymous (access control off) everything', () => {
    assert.equal(hasScope(key('admin'), 'predict'), true);
    assert.equal(hasScope(key('predict'), 'read'), false);
    assert.equal(hasScope(key('predict', 'read'), 'read'), true);
    assert.equal(hasScope(ANONYMOUS, 'admin'), true);
  });

  it('records the key as owner and restricts reads to it, except for admins', () => {
    assert.equal(ownerOf(key('predict')), 'abc');
    assert.equal(ownerOf(ANONYMOUS), undefined);
    assert.equal(viewerOf(key('read')), 'abc');
    assert.equal(viewerOf(key('admin')), undefined);
    assert.equal(viewerOf(ANONYMOUS), undefined);
  });
});
