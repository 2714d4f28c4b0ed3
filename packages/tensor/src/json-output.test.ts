import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { valuesFromJson } from './json-values.js';
import { valuesToJson } from './json-output.js';

describe('valuesToJson', () => {
  it('turns BOOL bytes into booleans', () => {
    assert.deepEqual(valuesToJson(new Uint8Array([1, 0, 2]), 'BOOL'), [true, false, true]);
  });

  it('keeps UINT8 bytes as numbers', () => {
    assert.deepEqual(valuesToJson(new Uint8Array([1, 0, 255]), 'UINT8'), [1, 0, 255]);
  });

  it('decodes FP16 bit patterns to numbers', () => {
    assert.deepEqual(valuesToJson(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]), 'FP16'), [1, -2, 65504, 2 ** -24]);
  });

  it('keeps UINT16 as raw numbers, not halves', () => {
    assert.deepEqual(valuesToJson(new Uint16Array([0x3c00]), 'UINT16'), [0x3c00]);
  });

  it('turns INT64 and UINT64 into numbers', () => {
    const int64 = valuesToJson(new BigInt64Array([-3n, 0n, 9_007_199_254_740_991n]), 'INT64');
    assert.deepEqual(int64, [-3, 0, 9_007_199_254_740_991]);
    assert.ok(int64.every((v) => typeof v === 'number'));
    assert.deepEqual(valuesToJson(new BigUint64Array([7n]), 'UINT64'), [7]);
  });

  it('reads FP32, FP64 and signed integers as numbers', () => {
    assert.deepEqual(valuesToJson(new Float32Array([0.5, -1.25]), 'FP32'), [0.5, -1.25]);
    assert.deepEqual(valuesToJson(new Float32Array([0.1]), 'FP32'), [Math.fround(0.1)]);
    assert.deepEqual(valuesToJson(new Float64Array([0.1]), 'FP64'), [0.1]);
    assert.deepEqual(valuesToJson(new Int8Array([-128, 127]), 'INT8'), [-128, 127]);
    assert.deepEqual(valuesToJson(new Int32Array([-5]), 'INT32'), [-5]);
  });

  it('copies BYTES strings', () => {
    const strings = ['a', 'b'];
    const out = valuesToJson(strings, 'BYTES');
    assert.deepEqual(out, ['a', 'b']);
    assert.notEqual(out, strings);
  });

  it('returns a plain array that JSON.stringify writes as numbers', () => {
    const out = valuesToJson(new Float64Array([1, 2]), 'FP64');
    assert.ok(Array.isArray(out));
    assert.equal(JSON.stringify(out), '[1,2]');
  });

  it('round-trips JSON values through storage for every datatype', () => {
    const samples = {
      BOOL: [true, false],
      UINT8: [0, 255],
      UINT16: [0, 65_535],
      UINT32: [0, 4_294_967_295],
      UINT64: [0, 2 ** 53 - 1],
      INT8: [-128, 127],
      INT16: [-32_768, 32_767],
      INT32: [-2_147_483_648, 2_147_483_647],
      INT64: [-(2 ** 53 - 1), 2 ** 53 - 1],
      FP16: [1, -0.5, 65504, 2 ** -24],
      FP32: [1.5, -(2 ** 100)],
      FP64: [0.1, -1e-300],
      BYTES: ['x', ''],
    } as const;
    for (const [datatype, values] of Object.entries(samples) as Array<[keyof typeof samples, readonly unknown[]]>) {
      assert.deepEqual(valuesToJson(valuesFromJson(values, datatype, 'x'), datatype), values, datatype);
    }
  });
});
