import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModelRepository } from '@inferq/model-repository';
import { countInputRows, inputRows, type InputRow } from './input-rows.js';
import { LineSplitter } from './line-splitter.js';

const { repository } = loadModelRepository(fileURLToPath(new URL('../../../models', import.meta.url)));
const iris = repository.resolve('iris');
const text = repository.resolve('text-orientation');

const rowsOf = async (input: string | Buffer[], format: 'csv' | 'jsonl', model = iris): Promise<InputRow[]> => {
  const out: InputRow[] = [];
  for await (const row of inputRows(Readable.from(typeof input === 'string' ? [Buffer.from(input)] : input), format, model)) out.push(row);
  return out;
};

describe('inputRows (CSV)', () => {
  it('takes the feature columns by name, in the version\'s order, with file line numbers', async () => {
    const rows = await rowsOf('id,petal_width,sepal_length,sepal_width,petal_length\n1,0.2,5.1,3.5,1.4\n\n2,2.3,6.7,3.0,5.2\n', 'csv');
    assert.deepEqual(rows.map((r) => [r.index, r.line]), [[0, 2], [1, 4]]);
    const first = rows[0]!;
    assert.ok('inputs' in first);
    assert.deepEqual(first.inputs[0]!.shape, [1, 4]);
    assert.deepEqual(Array.from(first.inputs[0]!.data as Float32Array), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });

  it('takes exactly n unnamed columns in header order', async () => {
    const rows = await rowsOf('a,b,c,d\n1,2,3,4\n', 'csv');
    assert.ok('inputs' in rows[0]!);
    assert.deepEqual(Array.from(rows[0].inputs[0]!.data as Float32Array), [1, 2, 3, 4]);
  });

  it('fails a bad cell alone, naming line and column', async () => {
    const rows = await rowsOf('a,b,c,d\n1,2,3,4\n1,x,3,4\n1,2,,4\n', 'csv');
    assert.deepEqual(rows.map((r) => ('error' in r ? r.error.message : 'ok')), ['ok', 'line 3: column "b" is "x", not a number', 'line 4: column "c" is "", not a number']);
  });

  it('refuses a ragged row, a bad header, an unclosed quote and a model that is not tabular', async () => {
    await assert.rejects(rowsOf('a,b,c,d\n1,2,3,4\n1,2,3\n', 'csv'), { code: 'INVALID_BATCH_INPUT', message: /malformed CSV.*line 3/ });
    await assert.rejects(rowsOf('a,b\n1,2\n', 'csv'), { code: 'INVALID_BATCH_INPUT', message: /line 1: the CSV header has 2 columns/ });
    await assert.rejects(rowsOf('a,b,c,d\n"1,2,3,4\n', 'csv'), { code: 'INVALID_BATCH_INPUT' });
    await assert.rejects(rowsOf('x\n1\n', 'csv', text), { code: 'INVALID_BATCH_INPUT', message: /one numeric \[-1, n\] input/ });
    await assert.rejects(countInputRows(Readable.from([Buffer.from('a,b,c,d\n')]), 'csv', iris), { message: /no rows/ });
    // The API's structure pass (no per-row decoding) refuses the same files.
    const count = (t: string, f: 'csv' | 'jsonl') => countInputRows(Readable.from([Buffer.from(t)]), f, iris);
    assert.equal(await count('a,b,c,d\n1,x,3,4\n\n5,6,7,8\n', 'csv'), 2);
    await assert.rejects(count('a,b,c,d\n1,2,3,4\n1,2,3\n', 'csv'), { code: 'INVALID_BATCH_INPUT', message: /line 3/ });
    await assert.rejects(count('a,b\n1,2\n', 'csv'), { message: /line 1: the CSV header has 2 columns/ });
    await assert.rejects(count('{}\n\n[\n', 'jsonl'), { message: /line 3 is not valid JSON/ });
  });
});

describe('inputRows (JSON Lines)', () => {
  it('reads v2 requests and named features, lines split anywhere across chunks', async () => {
    const text = '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}\r\n\n{"sepal_length":5,"sepal_width":6,"petal_length":7,"petal_width":8}\n';
    const pieces = [...Buffer.from(text)].map((b) => Buffer.from([b])); // one byte per chunk
    const rows = await rowsOf(pieces, 'jsonl');
    assert.deepEqual(rows.map((r) => [r.index, r.line]), [[0, 1], [1, 3]]);
    assert.ok('inputs' in rows[1]!);
    assert.deepEqual(Array.from(rows[1].inputs[0]!.data as Float32Array), [5, 6, 7, 8]);
  });

  it('fails a row of the wrong shape alone, refuses a line that is not JSON', async () => {
    const rows = await rowsOf('{"inputs":[{"name":"features","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}\n', 'jsonl');
    assert.ok('error' in rows[0]!);
    assert.equal(rows[0].error.code, 'SHAPE_MISMATCH');
    assert.match(rows[0].error.message, /^line 1: /);
    await assert.rejects(rowsOf('{}\nnot json\n', 'jsonl'), { code: 'INVALID_BATCH_INPUT', message: /line 2 is not valid JSON/ });
  });

  it('bounds a line: a file without newlines cannot fill memory', async () => {
    const splitter = new LineSplitter(10);
    const failed = new Promise((_, reject) => splitter.once('error', reject));
    splitter.write(Buffer.from('0123456789abc'));
    await assert.rejects(failed, { code: 'INVALID_BATCH_INPUT', message: /longer than 10 bytes/ });
  });
});
