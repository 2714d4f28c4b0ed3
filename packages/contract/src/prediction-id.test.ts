import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPredictionId, newPredictionId } from './prediction-id.js';

describe('newPredictionId', () => {
  it('is 22 base64url characters carrying 16 bytes', () => {
    for (let i = 0; i < 100; i++) {
      const id = newPredictionId();
      assert.equal(id.length, 22);
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(id, 'base64url').byteLength, 16);
      assert.equal(Buffer.from(id, 'base64url').toString('base64url'), id);
    }
  });

  it('gives 1000 distinct ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPredictionId));
    assert.equal(ids.size, 1000);
  });

  it('passes its own check', () => {
    for (let i = 0; i < 100; i++) assert.equal(isPredictionId(newPredictionId()), true);
  });

  it('never starts with - or _ (a command line would read it as an option)', () => {
    // 20 000 ids: with a free first character ~625 would start so.
    for (let i = 0; i < 20_000; i++) assert.doesNotMatch(newPredictionId(), /^[-_]/);
  });

  it('uses the whole alphabet over many ids (random, not a counter)', () => {
    const seen = new Set(Array.from({ length: 500 }, newPredictionId).join(''));
    assert.ok(seen.size >= 60, `only ${seen.size} distinct characters`);
  });
});

describe('isPredictionId', () => {
  it('accepts any 22 characters from the base64url alphabet', () => {
    assert.equal(isPredictionId('A'.repeat(22)), true);
    assert.equal(isPredictionId('-_'.repeat(11)), true);
    assert.equal(isPredictionId('abcdefghijklmnopqrstuv'), true);
    assert.equal(isPredictionId('0123456789ABCDEFGHIJ-_'), true);
  });

  it('rejects other lengths', () => {
    for (const id of ['', 'a', 'A'.repeat(21), 'A'.repeat(23), 'A'.repeat(44)]) assert.equal(isPredictionId(id), false, id);
  });

  it('rejects characters outside base64url, padding and whitespace', () => {
    const valid = newPredictionId();
    for (const bad of ['+', '/', '=', ' ', '.', '\n', 'é', '%', '*']) {
      assert.equal(isPredictionId(bad + valid.slice(1)), false, `leading ${JSON.stringify(bad)}`);
      assert.equal(isPredictionId(valid.slice(0, 21) + bad), false, `trailing ${JSON.stringify(bad)}`);
    }
    assert.equal(isPredictionId(`${valid}==`), false);
    assert.equal(isPredictionId(`${valid}\n`), false);
    assert.equal(isPredictionId(` ${valid.slice(1)}`), false);
    assert.equal(isPredictionId('../../../../etc/passwd'), false);
  });
});
