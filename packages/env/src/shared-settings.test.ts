import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { readKeyPrefix, readLogLevel, readModelRepository, readRequiredRedisUrl, readResultTtlSeconds } from './shared-settings.js';

describe('settings several processes share', () => {
  it('REDIS_URL is required, and the message names the process and the way out', () => {
    assert.equal(readRequiredRedisUrl({ REDIS_URL: 'redis://127.0.0.1:6379' }, 'a worker'), 'redis://127.0.0.1:6379');
    assert.throws(() => readRequiredRedisUrl({}, 'a worker'), (error: unknown) =>
      error instanceof ConfigError && /^REDIS_URL is required for a worker .*npm start/.test(error.message));
    assert.throws(() => readRequiredRedisUrl({ REDIS_URL: 'http://x' }, 'the API'), /must start with redis:\/\//);
  });

  it('RESULT_TTL_SECONDS: one default and one range for the API and the workers', () => {
    assert.equal(readResultTtlSeconds({}), 86_400);
    assert.equal(readResultTtlSeconds({ RESULT_TTL_SECONDS: '2592000' }), 30 * 86_400);
    assert.throws(() => readResultTtlSeconds({ RESULT_TTL_SECONDS: '2592001' }), /RESULT_TTL_SECONDS="2592001" must be an integer from 1 to 2592000/);
    assert.throws(() => readResultTtlSeconds({ RESULT_TTL_SECONDS: '0' }), ConfigError);
  });

  it('KEY_PREFIX, MODEL_REPOSITORY (absolute) and LOG_LEVEL defaults', () => {
    assert.equal(readKeyPrefix({}), 'inferq');
    assert.equal(readKeyPrefix({ KEY_PREFIX: 'staging' }), 'staging');
    assert.equal(readModelRepository({}), resolve('./models'));
    assert.equal(readLogLevel({}), 'info');
    assert.throws(() => readLogLevel({ LOG_LEVEL: 'loud' }), /LOG_LEVEL="loud" must be one of: fatal, error/);
  });
});
