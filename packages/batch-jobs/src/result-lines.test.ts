import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { resultLine, ResultCsvTransform } from './result-lines.js';

describe('result lines', () => {
  it('writes {row, outputs} and {row, error}', () => {
    assert.equal(resultLine(3, { outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [2] }] }), '{"row":3,"outputs":[{"name":"label","datatype":"INT64","shape":[1],"data":[2]}]}');
    assert.equal(resultLine(4, { error: { code: 'INVALID_TENSOR_DATA', message: 'line 6: x' } }), '{"row":4,"error":{"code":"INVALID_TENSOR_DATA","message":"line 6: x"}}');
  });

  it('converts to CSV with one column per output value, quoting where needed, across chunk boundaries', async () => {
    const lines = [
      resultLine(0, { outputs: [{ name: 'p', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }, { name: 'label', datatype: 'INT64', shape: [1], data: [1] }] }),
      resultLine(1, { error: { code: 'INFERENCE_FAILED', message: 'line 3: bad, "very"' } }),
    ].join('\n') + '\n';
    const bytes = Buffer.from(lines);
    const source = Readable.from([bytes.subarray(0, 17), bytes.subarray(17)]);
    const csv = await text(source.pipe(new ResultCsvTransform([
      { name: 'p', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'INT64', shape: [-1] },
    ])));
    assert.equal(csv, 'row,p_0,p_1,label,error_code,error_message\n0,0.25,0.75,1,,\n1,,,,INFERENCE_FAILED,"line 3: bad, ""very"""\n');
  });
});
