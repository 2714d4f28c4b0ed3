/** The access-control part of the API configuration: API_KEYS, ADMIN_API_KEY, rate limit, CORS, HSTS. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError } from '@inferq/env';
import { loadApiConfig } from '../config.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('API access-control configuration', () => {
  it('is off by default: no keys, no rate limit, no CORS, no HSTS, open /metrics', () => {
    const config = loadApiConfig(base);
    assert.deepEqual(config.apiKeys, []);
    assert.equal(config.rateLimitPerSecond, 0);
    assert.deepEqual(config.corsOrigins, []);
    assert.equal(config.hstsMaxAgeSeconds, 0);
    assert.equal(config.metricsRequireAuth, false);
  });

  it('keeps only the hash of ADMIN_API_KEY, as the configured key "admin"', () => {
    const admin = 'a'.repeat(20) + 'SECRET-bootstrap-0123456789';
    const config = loadApiConfig({ ...base, ADMIN_API_KEY: admin, API_KEYS: `ci:predict+read:${sha('ci-key')}` });
    assert.deepEqual(config.apiKeys, [
      { name: 'ci', scopes: ['predict', 'read'], sha256: sha('ci-key') },
      { name: 'admin', scopes: ['admin'], sha256: sha(admin) },
    ]);
    assert.ok(!JSON.stringify(config).includes('SECRET-bootstrap'), 'the plaintext is not kept');
    assert.ok(Object.isFrozen(config.apiKeys));
  });

  it('refuses a short ADMIN_API_KEY and bad API_KEYS without echoing them', () => {
    const check = (env: Record<string, string>, message: RegExp) => assert.throws(() => loadApiConfig({ ...base, ...env }), (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes('hunter2'), error.message);
      return true;
    });
    check({ ADMIN_API_KEY: 'hunter2' }, /ADMIN_API_KEY must be at least 32/);
    check({ API_KEYS: 'ci:predict:hunter2hunter2hunter2hunter2hunter2' }, /^API_KEYS: entry 1 \("ci"\)/);
    check({ API_KEYS: `admin:admin:${sha('x')}`, ADMIN_API_KEY: 'hunter2'.repeat(6) }, /named "admin"/);
  });

  it('defaults RATE_LIMIT_BURST to the rate, at least 1', () => {
    assert.equal(loadApiConfig({ ...base, RATE_LIMIT_PER_SECOND: '50' }).rateLimitBurst, 50);
    assert.equal(loadApiConfig({ ...base, RATE_LIMIT_PER_SECOND: '0' }).rateLimitBurst, 1);
    assert.equal(loadApiConfig({ ...base, RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_BURST: '20' }).rateLimitBurst, 20);
  });

  it('takes origins or * in CORS_ORIGINS and refuses anything else', () => {
    assert.deepEqual(loadApiConfig({ ...base, CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.deepEqual(loadApiConfig({ ...base, CORS_ORIGINS: '*' }).corsOrigins, ['*']);
    for (const bad of ['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'null']) {
      assert.throws(() => loadApiConfig({ ...base, CORS_ORIGINS: bad }), /CORS_ORIGINS/, bad);
    }
  });
});
