import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBinaryResponse } from './binary-response.js';
import { valuesToJson } from './json-output.js';
import { countNonFinite } from './non-finite.js';
import { summarizeOutputs } from './tensor-summary.js';

/** FP32 values from their bits. */
const fp32 = (...bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const fp64 = (...bits: bigint[]) => new Float64Array(BigUint64Array.from(bits).buffer);

describe('non-finite outputs in JSON and binary', () => {
  it('writes NaN and ±∞ as strings JSON keeps, with the bits of a non-canonical NaN', () => {
    const data = valuesToJson(fp32(0x3f800000, 0x7fc00000, 0xffc00000, 0x7f800000, 0xff800000, 0x7f800001), 'FP32');
    assert.deepEqual(data, [1, 'NaN', 'NaN:0xffc00000', 'Infinity', '-Infinity', 'NaN:0x7f800001']);
    assert.equal(JSON.stringify(data), '[1,"NaN","NaN:0xffc00000","Infinity","-Infinity","NaN:0x7f800001"]');
    assert.equal(countNonFinite(data, 'FP32'), 5);
    assert.deepEqual(valuesToJson(fp64(0x7ff8000000000000n, 0xfff8000000000000n), 'FP64'), ['NaN', 'NaN:0xfff8000000000000']);
    assert.deepEqual(valuesToJson(Uint16Array.of(0x7e00, 0xfc00, 0x3c00), 'FP16'), ['NaN', '-Infinity', 1]);
  });

  it('gives the exact IEEE bits back in a binary output, through JSON storage', () => {
    const bits = [0x3f800000, 0x7fc00000, 0xffc00000, 0x7f800000, 0xff800000, 0x7fa00001];
    const stored = JSON.parse(JSON.stringify({ model_name: 'm', id: 'x', outputs: [{ name: 'p', datatype: 'FP32', shape: [6], data: valuesToJson(fp32(...bits), 'FP32') }] }));
    const { body, headerLength } = encodeBinaryResponse(stored, () => true);
    const raw = body.subarray(headerLength);
    assert.deepEqual(Array.from(new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))), bits);
    const wide = [0x7ff8000000000000n, 0xfff8000000000001n, 0xfff0000000000000n];
    const stored64 = JSON.parse(JSON.stringify({ model_name: 'm', id: 'x', outputs: [{ name: 'p', datatype: 'FP64', shape: [3], data: valuesToJson(fp64(...wide), 'FP64') }] }));
    const out64 = encodeBinaryResponse(stored64, () => true);
    const raw64 = out64.body.subarray(out64.headerLength);
    assert.deepEqual(Array.from(new BigUint64Array(raw64.buffer.slice(raw64.byteOffset, raw64.byteOffset + raw64.byteLength))), wide);
  });

  it('counts them in the output summary, from typed arrays and from stored JSON alike', () => {
    const outputs = [{ name: 'p', datatype: 'FP32' as const, shape: [2, 3], data: fp32(0x3f000000, 0x7fc00000, 0x3e800000, 0x3f000000, 0x3e800000, 0x3e800000) }];
    assert.equal(summarizeOutputs(outputs)?.nonFinite, 1);
    assert.equal(summarizeOutputs([{ ...outputs[0]!, data: valuesToJson(outputs[0]!.data, 'FP32') }])?.nonFinite, 1);
    assert.equal(summarizeOutputs([{ ...outputs[0]!, data: Float32Array.of(0.5, 0.25, 0.25, 0.5, 0.25, 0.25) }])?.nonFinite, undefined);
  });
});
