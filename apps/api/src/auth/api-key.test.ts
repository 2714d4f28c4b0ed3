import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey, hashMatches, ISSUED_KEY_PATTERN, parseConfiguredKeys, parseScopes } from './api-key.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('generateApiKey', () => {
  it('issues iq_<16 hex id>_<43 base64url> keys whose id is the one returned, never twice the same', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { id, key } = generateApiKey();
      assert.equal(ISSUED_KEY_PATTERN.exec(key)?.[1], id);
      assert.ok(!seen.has(key));
      seen.add(key);
    }
  });
});

describe('hashApiKey / hashMatches', () => {
  it('is SHA-256 of the UTF-8 key, compared against stored hex', () => {
    const key = 'iq_0123456789abcdef_' + 'A'.repeat(43);
    assert.equal(hashApiKey(key).toString('hex'), sha(key));
    assert.equal(hashMatches(hashApiKey(key), sha(key)), true);
    assert.equal(hashMatches(hashApiKey(key), sha(key).toUpperCase()), true);
    assert.equal(hashMatches(hashApiKey(`${key}x`), sha(key)), false);
  });

  it('never matches a malformed stored hash', () => {
    const hash = hashApiKey('k');
    for (const stored of ['', 'zz', sha('k').slice(0, 62), `${sha('k')}00`]) assert.equal(hashMatches(hash, stored), false, stored);
  });
});

describe('parseScopes', () => {
  it('reads + joined scopes', () => {
    assert.deepEqual(parseScopes('predict+read'), ['predict', 'read']);
    assert.deepEqual(parseScopes('admin'), ['admin']);
  });

  it('refuses unknown, empty and repeated scopes', () => {
    for (const text of ['', 'write', 'predict+', 'predict+predict', 'PREDICT', '__proto__']) assert.equal(parseScopes(text), undefined, text);
  });
});

describe('parseConfiguredKeys (API_KEYS)', () => {
  it('parses name:scope+scope:sha256hex entries', () => {
    const a = sha('key-a');
    const b = sha('key-b').toUpperCase();
    assert.deepEqual(parseConfiguredKeys(` ci:predict+read:${a} , ops:admin:${b},`), [
      { name: 'ci', scopes: ['predict', 'read'], sha256: a },
      { name: 'ops', scopes: ['admin'], sha256: b.toLowerCase() },
    ]);
    assert.deepEqual(parseConfiguredKeys(''), []);
  });

  it('refuses bad entries with a message that never contains the value', () => {
    const cases: Array<[string, RegExp]> = [
      [`ci:predict:${'0'.repeat(63)}`, /entry 1 \("ci"\).*SHA-256/],
      ['ci:predict:my-secret-plaintext-key-that-is-long', /entry 1 \("ci"\).*SHA-256.*not the key itself/],
      [`ci:write:${sha('x')}`, /entry 1 \("ci"\).*scopes/],
      [`:predict:${sha('x')}`, /entry 1: the name/],
      [`ci:predict:${sha('x')},ci:read:${sha('y')}`, /entry 2: the name "ci" is used twice/],
      [`ci:predict:${sha('x')}:extra`, /SHA-256/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseConfiguredKeys(text), (error: Error) => {
        assert.match(error.message, message);
        assert.ok(!error.message.includes('my-secret'), 'no key material in the message');
        return true;
      }, text);
    }
  });
});
