import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError, type TensorMetadata } from '@inferq/contract';
import { bytesFromBase64, valuesFromBytes, valuesToBytes } from './binary-values.js';
import { splitBinaryBody } from './binary-request.js';
import { validateInferenceRequest, type ModelSignature } from './validate-request.js';

const code = (c: string, pattern?: RegExp) => (e: unknown) => e instanceof InferqError && e.code === c && (!pattern || pattern.test(e.message));
const IRIS: ModelSignature = {
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }] as TensorMetadata[],
  maxBatchSize: 64,
};
const floats = (...v: number[]) => Buffer.from(Float32Array.from(v).buffer);

describe('binary tensor values', () => {
  it('reads FP32, INT64, BOOL and BYTES from little-endian bytes and writes them back', () => {
    assert.deepEqual(Array.from(valuesFromBytes(floats(1.5, -2), 'FP32', 2, 'x') as Float32Array), [1.5, -2]);
    const int64 = Buffer.from(BigInt64Array.from([5n, -7n]).buffer);
    assert.deepEqual(Array.from(valuesFromBytes(int64, 'INT64', 2, 'x') as BigInt64Array), [5n, -7n]);
    assert.deepEqual(Array.from(valuesFromBytes(Uint8Array.from([1, 0]), 'BOOL', 2, 'x') as Uint8Array), [1, 0]);
    const strings = valuesToBytes(['hé', '']);
    assert.deepEqual(valuesFromBytes(strings, 'BYTES', 2, 'x'), ['hé', '']);
    assert.deepEqual(Array.from(valuesToBytes(Float32Array.from([1.5]))), Array.from(floats(1.5)));
  });

  it('reads from unaligned offsets of a larger buffer', () => {
    const body = Buffer.concat([Buffer.from([9]), floats(3.25, 4)]);
    assert.deepEqual(Array.from(valuesFromBytes(body.subarray(1), 'FP32', 2, 'x') as Float32Array), [3.25, 4]);
  });

  it('refuses wrong lengths, non-finite floats, BOOL bytes other than 0/1 and broken BYTES', () => {
    assert.throws(() => valuesFromBytes(floats(1), 'FP32', 2, 'x'), code('ELEMENT_COUNT_MISMATCH', /input "x": 4 bytes/));
    assert.throws(() => valuesFromBytes(floats(Number.NaN), 'FP32', 1, 'x'), code('INVALID_TENSOR_DATA', /element 0 is NaN/));
    assert.throws(() => valuesFromBytes(floats(Infinity), 'FP32', 1, 'x'), code('INVALID_TENSOR_DATA'));
    assert.throws(() => valuesFromBytes(new Uint8Array(Uint16Array.from([0x7c00]).buffer), 'FP16', 1, 'x'), code('INVALID_TENSOR_DATA'));
    assert.throws(() => valuesFromBytes(Uint8Array.from([2]), 'BOOL', 1, 'x'), code('INVALID_TENSOR_DATA', /byte 2/));
    assert.throws(() => valuesFromBytes(Uint8Array.from([5, 0, 0, 0, 65]), 'BYTES', 1, 'x'), code('INVALID_TENSOR_DATA', /past the end/));
    assert.throws(() => valuesFromBytes(Uint8Array.from([1, 0, 0, 0, 0xff]), 'BYTES', 1, 'x'), code('INVALID_TENSOR_DATA', /UTF-8/));
    assert.throws(() => valuesFromBytes(Uint8Array.from([0, 0, 0, 0, 1]), 'BYTES', 1, 'x'), code('ELEMENT_COUNT_MISMATCH', /left after/));
  });

  it('names the first non-finite element of FP32 and FP64, whatever its sign or NaN bits', () => {
    const fp32 = (bits: number[]) => Buffer.from(Uint32Array.from(bits).buffer);
    assert.throws(() => valuesFromBytes(floats(1, 2, -Infinity, Number.NaN), 'FP32', 4, 'x'), code('INVALID_TENSOR_DATA', /element 2 is -Infinity/));
    assert.throws(() => valuesFromBytes(fp32([0, 0xffc00001]), 'FP32', 2, 'x'), code('INVALID_TENSOR_DATA', /element 1 is NaN/));
    // The largest finite FP32 and a subnormal pass.
    assert.equal((valuesFromBytes(fp32([0x7f7fffff, 0x00000001]), 'FP32', 2, 'x') as Float32Array).length, 2);
    const fp64 = (...v: number[]) => Buffer.from(Float64Array.from(v).buffer);
    assert.throws(() => valuesFromBytes(fp64(1, Number.MAX_VALUE, Infinity), 'FP64', 3, 'x'), code('INVALID_TENSOR_DATA', /element 2 is Infinity, expected a finite number for FP64/));
    assert.throws(() => valuesFromBytes(fp64(Number.NaN), 'FP64', 1, 'x'), code('INVALID_TENSOR_DATA', /element 0 is NaN/));
    assert.deepEqual(Array.from(valuesFromBytes(fp64(-0, 5e-324), 'FP64', 2, 'x') as Float64Array), [-0, 5e-324]);
    // At an unaligned offset too (checked on the copy).
    const unaligned = Buffer.concat([Buffer.from([9]), floats(1, Number.NaN)]).subarray(1);
    assert.throws(() => valuesFromBytes(unaligned, 'FP32', 2, 'x'), code('INVALID_TENSOR_DATA', /element 1 is NaN/));
  });

  it('views aligned bytes without copying them, and copies unaligned ones once', () => {
    const body = Buffer.concat([Buffer.alloc(4), floats(3.25, 4)]);
    const aligned = valuesFromBytes(body.subarray(4), 'FP32', 2, 'x') as Float32Array;
    assert.equal(aligned.buffer, body.buffer);
    assert.deepEqual(Array.from(aligned), [3.25, 4]);
    const odd = Buffer.concat([Buffer.alloc(3), floats(3.25, 4)]);
    const copied = valuesFromBytes(odd.subarray(3), 'FP32', 2, 'x') as Float32Array;
    assert.notEqual(copied.buffer, odd.buffer);
    assert.deepEqual(Array.from(copied), [3.25, 4]);
  });

  it('decodes base64 and refuses other text', () => {
    assert.deepEqual(bytesFromBase64(floats(1).toString('base64'), 'x'), floats(1));
    assert.throws(() => bytesFromBase64('a,b', 'x'), code('INVALID_TENSOR_DATA', /not valid base64/));
    assert.throws(() => bytesFromBase64('abcde', 'x'), code('INVALID_TENSOR_DATA'));
  });
});

describe('binary data extension and base64 in validateInferenceRequest', () => {
  it('takes base64 data for FP32', () => {
    const request = { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: floats(5.1, 3.5, 1.4, 0.2).toString('base64') }] };
    const validated = validateInferenceRequest(request, IRIS);
    assert.deepEqual(Array.from(validated.inputs[0]!.data as Float32Array), Array.from(Float32Array.from([5.1, 3.5, 1.4, 0.2])));
  });

  it('takes binary sections after a JSON header, in input order', () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } }] }));
    const { header: parsed, binary } = splitBinaryBody(Buffer.concat([header, floats(1, 2, 3, 4, 5, 6, 7, 8)]), String(header.byteLength));
    const validated = validateInferenceRequest(parsed, IRIS, undefined, binary);
    assert.deepEqual(validated.inputs[0]!.shape, [2, 4]);
    assert.deepEqual(Array.from(validated.inputs[0]!.data as Float32Array), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses missing or extra binary bytes, sizes that do not fit, and headers that lie', () => {
    const request = (size: number) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: size } }] });
    assert.throws(() => validateInferenceRequest(request(16), IRIS, undefined, floats(1, 2, 3)), code('ELEMENT_COUNT_MISMATCH', /runs past the end/));
    assert.throws(() => validateInferenceRequest(request(16), IRIS, undefined, floats(1, 2, 3, 4, 5)), code('ELEMENT_COUNT_MISMATCH', /not claimed/));
    assert.throws(() => validateInferenceRequest(request(12), IRIS, undefined, floats(1, 2, 3)), code('ELEMENT_COUNT_MISMATCH', /12 bytes/));
    assert.throws(() => validateInferenceRequest(request(16), IRIS), code('INVALID_REQUEST', /needs a binary body/));
    assert.throws(() => splitBinaryBody(Buffer.from('{}'), '99'), code('INVALID_REQUEST', /Inference-Header-Content-Length/));
    assert.throws(() => splitBinaryBody(Buffer.from('{x'), '2'), code('INVALID_JSON'));
  });
});
