import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binarySize, concatBinary, encodeRequest, tensorBytes } from './binary-encoding.js';
import { prepareTensor } from './tensor.js';

describe('binary data extension encoding', () => {
  it('writes little-endian bytes of the datatype, converting plain arrays', () => {
    const fp32 = tensorBytes(prepareTensor({ name: 'x', data: [1.5, -2] }));
    assert.deepEqual([...new Float32Array(fp32.slice().buffer)], [1.5, -2]);
    const int64 = tensorBytes(prepareTensor({ name: 'x', data: [3, -1], datatype: 'INT64' }));
    assert.deepEqual([...new BigInt64Array(int64.slice().buffer)], [3n, -1n]);
    const bool = tensorBytes(prepareTensor({ name: 'x', data: [true, false, true] }));
    assert.deepEqual([...bool], [1, 0, 1]);
  });

  it('writes BYTES as 4-byte lengths and UTF-8', () => {
    const bytes = tensorBytes(prepareTensor({ name: 's', data: ['hé', ''] }));
    assert.deepEqual([...bytes], [3, 0, 0, 0, 0x68, 0xc3, 0xa9, 0, 0, 0, 0]);
  });

  it('keeps FP16 given as numbers in JSON; declares binary_data_size for the rest', () => {
    const fp16 = prepareTensor({ name: 'h', data: [1, 2], datatype: 'FP16' });
    assert.equal(binarySize(fp16), undefined);
    const encoded = encodeRequest([prepareTensor({ name: 'x', data: new Float32Array([1, 2]) }), fp16], { id: 'r' }, true);
    assert.deepEqual(encoded.request.inputs[0], { name: 'x', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } });
    assert.deepEqual(encoded.request.inputs[1]!.data, [1, 2]);
    assert.equal(encoded.sections.length, 1);
  });

  it('frames: JSON then sections; the WebSocket frame starts with the JSON length', () => {
    const { body, headerLength } = concatBinary({ a: 1 }, [new Uint8Array([9, 8])], true);
    // 7 bytes of JSON, padded with spaces so that the section starts at byte 16 (a multiple of 8).
    assert.equal(headerLength, 12);
    assert.equal(new DataView(body.buffer).getUint32(0, true), 12);
    assert.equal(new TextDecoder().decode(body.subarray(4, 16)), '{"a":1}     ');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(body.subarray(4, 16))), { a: 1 });
    assert.deepEqual([...body.subarray(16)], [9, 8]);
  });

  it('starts the sections at a multiple of 8 bytes over HTTP too, padding only as much as needed', () => {
    for (const text of ['', 'a', 'abcdefg', 'abcdefgh', 'é'.repeat(5)]) {
      const json = JSON.stringify({ text });
      const { body, headerLength } = concatBinary({ text }, [new Uint8Array([1, 2, 3])], false);
      const jsonBytes = new TextEncoder().encode(json).byteLength;
      assert.equal(headerLength % 8, 0);
      assert.ok(headerLength - jsonBytes >= 0 && headerLength - jsonBytes < 8, `${headerLength} for ${jsonBytes} bytes of JSON`);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength))), { text });
      assert.deepEqual([...body.subarray(headerLength)], [1, 2, 3]);
    }
  });
});
