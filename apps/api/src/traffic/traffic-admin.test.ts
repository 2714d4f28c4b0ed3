import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError } from '@inferq/contract';
import { parseIfMatch } from './traffic-admin.js';

describe('parseIfMatch', () => {
  it('reads the revision from an ETag, quoted, weak or bare; * and absent mean no condition', () => {
    assert.equal(parseIfMatch('"3"'), 3);
    assert.equal(parseIfMatch('W/"12"'), 12);
    assert.equal(parseIfMatch(' 7 '), 7);
    assert.equal(parseIfMatch(['"4"']), 4);
    assert.equal(parseIfMatch('*'), undefined);
    assert.equal(parseIfMatch(undefined), undefined);
  });

  it('refuses anything else with INVALID_REQUEST naming the header', () => {
    for (const bad of ['"abc"', '', '"1", "2"', '-1']) {
      assert.throws(() => parseIfMatch(bad), (e) => e instanceof InferqError && e.code === 'INVALID_REQUEST' && /If-Match/.test(e.message));
    }
  });
});
