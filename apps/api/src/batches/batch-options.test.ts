import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inputFormatOf, parseBatchOptions } from './batch-options.js';

describe('parseBatchOptions', () => {
  it('defaults to JSON Lines results, chunks of 1000 and low priority', () => {
    assert.deepEqual(parseBatchOptions({}), { format: 'jsonl', chunkSize: 1000, priority: 'low' });
  });

  it('reads query strings and JSON values alike', () => {
    assert.deepEqual(parseBatchOptions({ format: 'csv', chunkSize: '250', priority: 'high', webhook: 'http://127.0.0.1:9/hook', resultUri: 'file:///tmp/r.csv' }),
      { format: 'csv', chunkSize: 250, priority: 'high', webhook: 'http://127.0.0.1:9/hook', resultUri: 'file:///tmp/r.csv' });
    assert.equal(parseBatchOptions({ chunkSize: 7 }).chunkSize, 7);
  });

  it('names the field it refuses', () => {
    assert.throws(() => parseBatchOptions({ format: 'xml' }), { code: 'INVALID_REQUEST', message: /"format" must be one of jsonl, csv/ });
    assert.throws(() => parseBatchOptions({ chunkSize: '0' }), /"chunkSize" must be an integer/);
    assert.throws(() => parseBatchOptions({ chunkSize: 1.5 }), /"chunkSize"/);
    assert.throws(() => parseBatchOptions({ priority: 'urgent' }), /"priority"/);
    assert.throws(() => parseBatchOptions({ webhook: 'ftp://x' }), /"webhook" must be an http/);
    assert.throws(() => parseBatchOptions({ resultUri: 3 }), /"resultUri"/);
  });
});

describe('inputFormatOf', () => {
  it('takes the explicit format, else the content type or extension', () => {
    assert.equal(inputFormatOf('csv', 'x.jsonl'), 'csv');
    assert.equal(inputFormatOf(undefined, 'text/csv; charset=utf-8'), 'csv');
    assert.equal(inputFormatOf(undefined, 'application/x-ndjson'), 'jsonl');
    assert.equal(inputFormatOf(undefined, 'file:///data/rows.jsonl'), 'jsonl');
    assert.throws(() => inputFormatOf(undefined, 'file:///data/rows.txt'), /"inputFormat" is needed/);
    assert.throws(() => inputFormatOf('parquet', undefined), /"inputFormat" must be one of/);
  });
});
