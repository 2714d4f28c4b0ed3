import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelMetadata } from '@inferq/contract';
import { UsageError } from '../exit-codes.js';
import { inputsFromCsv } from './csv-input.js';
import { inputsFromJson } from './json-input.js';

const iris: ModelMetadata = { name: 'iris', versions: ['1'], platform: 'onnxruntime_onnx', inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }], outputs: [] };
const two: ModelMetadata = { ...iris, name: 'two', inputs: [{ name: 'a', datatype: 'INT64', shape: [-1, 1] }, { name: 'b', datatype: 'FP32', shape: [-1, 2] }] };

describe('CLI inputs per model metadata', () => {
  it('reads JSON rows, a single row, a record of inputs and a whole v2 request', () => {
    assert.deepEqual(inputsFromJson('[[1, 2, 3, 4]]', iris, 'x'), [{ name: 'features', datatype: 'FP32', data: [[1, 2, 3, 4]] }]);
    assert.deepEqual(inputsFromJson('[1, 2, 3, 4]', iris, 'x'), [{ name: 'features', datatype: 'FP32', data: [[1, 2, 3, 4]] }]);
    assert.deepEqual(inputsFromJson('{"a": [[7]], "b": [[1, 2]]}', two, 'x'), [
      { name: 'a', datatype: 'INT64', data: [[7]] }, { name: 'b', datatype: 'FP32', data: [[1, 2]] },
    ]);
    const request = '{"inputs": [{"name": "features", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}';
    assert.deepEqual(inputsFromJson(request, iris, 'x'), JSON.parse(request));
  });

  it('names the problem in JSON input', () => {
    assert.throws(() => inputsFromJson('[[1,', iris, '--data'), (e: Error) => e instanceof UsageError && /--data is not valid JSON/.test(e.message));
    assert.throws(() => inputsFromJson('{"nope": [[1]]}', iris, 'f.json'), /iris has no input "nope"/);
    assert.throws(() => inputsFromJson('[[1]]', two, 'f.json'), /a bare array needs a model with one input/);
  });

  it('reads CSV rows, skipping a header and comments, and checks every cell', () => {
    const csv = '# sample\nsepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7, 3.0 ,5.2,2.3\n';
    assert.deepEqual(inputsFromCsv(csv, iris, 'rows.csv'), [{ name: 'features', datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2], [6.7, 3, 5.2, 2.3]] }]);
    assert.throws(() => inputsFromCsv('1,2,3\n', iris, 'rows.csv'), /row 1 has 3 values, features takes 4/);
    assert.throws(() => inputsFromCsv('1,2,3,4\n1,2,x,4\n', iris, 'rows.csv'), /row 2, column 3: "x" is not a number/);
    assert.throws(() => inputsFromCsv('a,b,c,d\n', iris, 'rows.csv'), /no data rows/);
    assert.throws(() => inputsFromCsv('1\n', two, 'rows.csv'), /CSV rows fit a model with one input/);
  });
});
