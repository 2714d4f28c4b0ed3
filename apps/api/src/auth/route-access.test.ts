import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANONYMOUS, hasScope, ownerOf, viewerOf, type Principal } from './principal.js';
import { routeAccess } from './route-access.js';

describe('routeAccess', () => {
  const access = routeAccess({ metricsRequireAuth: false });

  it('maps each route family to its scope', () => {
    assert.equal(access('POST', '/v1/models/:model/predictions'), 'predict');
    assert.equal(access('POST', '/v2/models/:model/versions/:version/infer'), 'predict');
    assert.equal(access('GET', '/v1/predictions/:id'), 'read');
    assert.equal(access('GET', '/v2/models/:model'), 'read');
    assert.equal(access('GET', '/v1/ws'), 'authenticated');
    assert.equal(access('GET', '/v2/health/ready'), 'public');
    assert.equal(access('HEAD', '/v2/health/live'), 'public');
    assert.equal(access('GET', '/v2/models/:model/versions/:version/ready'), 'public');
    assert.equal(access('GET', '/metrics'), 'public');
  });

  it('needs admin for every route it does not list (admin, dead letters, anything new)', () => {
    for (const [method, url] of [['POST', '/v1/admin/keys'], ['DELETE', '/v1/admin/keys/:id'], ['GET', '/v1/models/:model/failed'],
      ['POST', '/v1/predictions/:id/retry'], ['PUT', '/v1/models/:model/versions/:version/batching'], ['GET', '/v1/some-new-route']] as const) {
      assert.equal(access(method, url), 'admin', `${method} ${url}`);
    }
  });

  it('lets unmatched requests and CORS preflights through to their own answers', () => {
    assert.equal(access('GET', undefined), 'public');
    assert.equal(access('OPTIONS', '*'), 'public');
  });

  it('puts /metrics behind read with metricsRequireAuth', () => {
    assert.equal(routeAccess({ metricsRequireAuth: true })('GET', '/metrics'), 'read');
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
