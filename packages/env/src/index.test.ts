import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, readBoolean, readChoice, readInteger, readList, readNumber, readRedisSentinel, readRedisUrl, readString, type Env } from './index.js';

/** Asserts a ConfigError whose message names `name`. */
const configError = (name: string, pattern?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
  assert.equal(error.name, 'ConfigError');
  assert.ok(error.message.startsWith(name), `"${error.message}" should name ${name}`);
  if (pattern) assert.match(error.message, pattern);
  return true;
};

describe('readString', () => {
  it('returns the value, trimmed', () => {
    assert.equal(readString({ HOST: 'example.org' }, 'HOST', 'localhost'), 'example.org');
    assert.equal(readString({ HOST: '  example.org \n' }, 'HOST', 'localhost'), 'example.org');
  });

  it('falls back when unset, empty or blank', () => {
    for (const env of [{}, { HOST: '' }, { HOST: '   ' }, { HOST: undefined }] as Env[]) {
      assert.equal(readString(env, 'HOST', 'localhost'), 'localhost');
      assert.equal(readString(env, 'HOST'), undefined);
    }
  });
});

describe('readInteger', () => {
  const range = { min: 1, max: 65_535 };

  it('reads integers in range, including the bounds and negative ranges', () => {
    assert.equal(readInteger({ PORT: '8080' }, 'PORT', 3000, range), 8080);
    assert.equal(readInteger({ PORT: ' 1 ' }, 'PORT', 3000, range), 1);
    assert.equal(readInteger({ PORT: '65535' }, 'PORT', 3000, range), 65_535);
    assert.equal(readInteger({ N: '-5' }, 'N', 0, { min: -10, max: 10 }), -5);
    assert.equal(readInteger({ N: '007' }, 'N', 0, { min: 0, max: 10 }), 7);
  });

  it('falls back when unset or empty', () => {
    assert.equal(readInteger({}, 'PORT', 3000, range), 3000);
    assert.equal(readInteger({ PORT: '' }, 'PORT', 3000, range), 3000);
  });

  it('refuses out-of-range values, naming the variable and the range', () => {
    assert.throws(() => readInteger({ PORT: '0' }, 'PORT', 3000, range), configError('PORT', /PORT="0" must be an integer from 1 to 65535/));
    assert.throws(() => readInteger({ PORT: '65536' }, 'PORT', 3000, range), configError('PORT'));
    assert.throws(() => readInteger({ PORT: '-1' }, 'PORT', 3000, range), configError('PORT'));
  });

  it('refuses non-integers and number forms Number() would accept', () => {
    for (const raw of ['abc', '1.5', '1e3', '0x10', '+5', '1_000', '12abc', 'Infinity', '9007199254740993', '- 1']) {
      assert.throws(() => readInteger({ WORKERS: raw }, 'WORKERS', 1, { min: -1e300, max: 1e300 }), configError('WORKERS'), raw);
    }
  });
});

describe('readChoice', () => {
  const levels = ['debug', 'info', 'warn'] as const;

  it('returns a listed value', () => {
    assert.equal(readChoice({ LOG_LEVEL: 'warn' }, 'LOG_LEVEL', 'info', levels), 'warn');
    assert.equal(readChoice({ LOG_LEVEL: ' debug ' }, 'LOG_LEVEL', 'info', levels), 'debug');
  });

  it('falls back when unset', () => {
    assert.equal(readChoice({}, 'LOG_LEVEL', 'info', levels), 'info');
  });

  it('refuses other values, case included, listing the choices', () => {
    assert.throws(() => readChoice({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'info', levels), configError('LOG_LEVEL', /LOG_LEVEL="verbose" must be one of: debug, info, warn/));
    assert.throws(() => readChoice({ LOG_LEVEL: 'INFO' }, 'LOG_LEVEL', 'info', levels), configError('LOG_LEVEL'));
  });
});

describe('readBoolean', () => {
  it('reads the true and false spellings, any case', () => {
    for (const raw of ['1', 'true', 'TRUE', 'yes', 'Yes', 'on', ' true ']) assert.equal(readBoolean({ FLAG: raw }, 'FLAG', false), true, raw);
    for (const raw of ['0', 'false', 'False', 'no', 'NO', 'off']) assert.equal(readBoolean({ FLAG: raw }, 'FLAG', true), false, raw);
  });

  it('falls back when unset or empty', () => {
    assert.equal(readBoolean({}, 'FLAG', true), true);
    assert.equal(readBoolean({ FLAG: '' }, 'FLAG', false), false);
  });

  it('refuses anything else, naming the variable', () => {
    for (const raw of ['2', 'maybe', 'y', 't', 'enabled']) {
      assert.throws(() => readBoolean({ EMBEDDED_REDIS: raw }, 'EMBEDDED_REDIS', false), configError('EMBEDDED_REDIS', /must be true or false/), raw);
    }
  });
});

describe('readList', () => {
  it('splits on commas, trims and drops empty items', () => {
    assert.deepEqual(readList({ MODELS: 'iris, text-orientation' }, 'MODELS'), ['iris', 'text-orientation']);
    assert.deepEqual(readList({ MODELS: ',iris,,  ,b,' }, 'MODELS'), ['iris', 'b']);
    assert.deepEqual(readList({ MODELS: 'one' }, 'MODELS'), ['one']);
  });

  it('is empty when unset or blank', () => {
    assert.deepEqual(readList({}, 'MODELS'), []);
    assert.deepEqual(readList({ MODELS: '  ' }, 'MODELS'), []);
    assert.deepEqual(readList({ MODELS: ',,' }, 'MODELS'), []);
  });
});

describe('readRedisUrl', () => {
  it('accepts redis:// and rediss:// URLs as given', () => {
    assert.equal(readRedisUrl({ REDIS_URL: 'redis://localhost:6379' }, 'REDIS_URL'), 'redis://localhost:6379');
    assert.equal(readRedisUrl({ REDIS_URL: 'rediss://user:pw@cache.example:6380/2' }, 'REDIS_URL'), 'rediss://user:pw@cache.example:6380/2');
    assert.equal(readRedisUrl({ REDIS_URL: ' redis://h ' }, 'REDIS_URL'), 'redis://h');
  });

  it('is undefined when unset', () => {
    assert.equal(readRedisUrl({}, 'REDIS_URL'), undefined);
    assert.equal(readRedisUrl({ REDIS_URL: '' }, 'REDIS_URL'), undefined);
  });

  it('refuses a string that is not a URL, naming the variable', () => {
    assert.throws(() => readRedisUrl({ REDIS_URL: 'localhost:6379x' }, 'REDIS_URL'), configError('REDIS_URL'));
    assert.throws(() => readRedisUrl({ REDIS_URL: 'not a url' }, 'REDIS_URL'), configError('REDIS_URL', /is not a URL/));
  });

  it('refuses other schemes', () => {
    for (const raw of ['http://localhost:6379', 'tcp://localhost:6379', 'unix:///tmp/redis.sock']) {
      assert.throws(() => readRedisUrl({ REDIS_URL: raw }, 'REDIS_URL'), configError('REDIS_URL', /must start with redis:\/\/ or rediss:\/\//), raw);
    }
  });

  it('does not echo a rejected URL, which may hold a password', () => {
    assert.throws(() => readRedisUrl({ REDIS_URL: 'http://user:s3cret@host' }, 'REDIS_URL'), (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cret'));
  });
});

describe('readNumber', () => {
  const range = { min: 0, max: 1 };
  it('reads decimals in range and falls back when unset', () => {
    assert.equal(readNumber({ RATE: '0.25' }, 'RATE', 1, range), 0.25);
    assert.equal(readNumber({ RATE: '1' }, 'RATE', 0.5, range), 1);
    assert.equal(readNumber({ RATE: '.5' }, 'RATE', 1, range), 0.5);
    assert.equal(readNumber({}, 'RATE', 1, range), 1);
  });

  it('rejects values out of range or not numbers, naming the variable', () => {
    for (const raw of ['1.5', '-0.1', 'half', '0x1', 'NaN', 'Infinity', '1,5']) {
      assert.throws(() => readNumber({ RATE: raw }, 'RATE', 1, range), configError('RATE'), raw);
    }
  });
});

describe('readRedisSentinel', () => {
  it('is undefined without REDIS_SENTINELS', () => {
    assert.equal(readRedisSentinel({}), undefined);
    assert.equal(readRedisSentinel({ REDIS_SENTINELS: '  ' }), undefined);
  });

  it('parses host:port lists, IPv6 in brackets, the default port, name and password', () => {
    assert.deepEqual(readRedisSentinel({ REDIS_SENTINELS: 's0:26380, s1.example.org ,[::1]:26381' }), {
      sentinels: [{ host: 's0', port: 26380 }, { host: 's1.example.org', port: 26379 }, { host: '::1', port: 26381 }],
      name: 'mymaster',
    });
    assert.deepEqual(readRedisSentinel({ REDIS_SENTINELS: '127.0.0.1:5000', REDIS_SENTINEL_NAME: 'inferq-ha', REDIS_SENTINEL_PASSWORD: 'pw' }), {
      sentinels: [{ host: '127.0.0.1', port: 5000 }], name: 'inferq-ha', password: 'pw',
    });
  });

  it('rejects bad addresses and names, naming the variable', () => {
    assert.throws(() => readRedisSentinel({ REDIS_SENTINELS: 'a:1,b:x' }), configError('REDIS_SENTINELS', /"b:x"/));
    assert.throws(() => readRedisSentinel({ REDIS_SENTINELS: 'a:70000' }), configError('REDIS_SENTINELS'));
    assert.throws(() => readRedisSentinel({ REDIS_SENTINELS: 'redis://a:1' }), configError('REDIS_SENTINELS'));
    assert.throws(() => readRedisSentinel({ REDIS_SENTINELS: ',' }), configError('REDIS_SENTINELS'));
    assert.throws(() => readRedisSentinel({ REDIS_SENTINELS: 'a', REDIS_SENTINEL_NAME: 'my master' }), configError('REDIS_SENTINEL_NAME'));
  });

  it('refuses sentinel settings without REDIS_SENTINELS', () => {
    assert.throws(() => readRedisSentinel({ REDIS_SENTINEL_NAME: 'mymaster' }), configError('REDIS_SENTINEL_NAME', /REDIS_SENTINELS/));
  });
});
