import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATATYPES, type EncodedTensor } from '@inferq/contract';
import { decodeTensor, encodeTensor, encodeTensorsForJob } from './binary-codec.js';
import { valuesFromJson } from './json-values.js';
import type { Tensor } from './tensor.js';

/** Six sample JSON values per datatype, with extremes. */
const SAMPLES: Record<(typeof DATATYPES)[number], unknown[]> = {
  BOOL: [true, false, false, true, true, false],
  UINT8: [0, 1, 127, 128, 254, 255],
  UINT16: [0, 1, 255, 256, 65_534, 65_535],
  UINT32: [0, 1, 65_536, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1],
  UINT64: [0, 1, 2 ** 32, 2 ** 40 + 3, 2 ** 52, 2 ** 53 - 1],
  INT8: [-128, -1, 0, 1, 100, 127],
  INT16: [-32_768, -1, 0, 1, 300, 32_767],
  INT32: [-(2 ** 31), -1, 0, 1, 70_000, 2 ** 31 - 1],
  INT64: [-(2 ** 53 - 1), -(2 ** 32), -1, 0, 2 ** 32, 2 ** 53 - 1],
  FP16: [0, -0, 1, -2, 65504, 2 ** -24],
  FP32: [0, -0, 0.1, -1.5e-40, 3.4e38, 1],
  FP64: [0, -0, 0.1, 5e-324, 1.7976931348623157e308, -1],
  BYTES: ['', 'a', 'héllo', '😀', 'with\0nul', 'x'.repeat(300)],
};

const tensorOf = (datatype: (typeof DATATYPES)[number], shape: number[]): Tensor => ({
  name: `t_${datatype}`,
  datatype,
  shape,
  data: valuesFromJson(SAMPLES[datatype], datatype, 'x'),
});

/** Through JSON, as the job payload travels through Redis. */
const overTheWire = (encoded: EncodedTensor): EncodedTensor => JSON.parse(JSON.stringify(encoded)) as EncodedTensor;

describe('encodeTensor / decodeTensor', () => {
  for (const datatype of DATATYPES) {
    it(`round-trips ${datatype}`, () => {
      const tensor = tensorOf(datatype, [2, 3]);
      const encoded = overTheWire(encodeTensor(tensor));
      assert.equal(encoded.name, tensor.name);
      assert.equal(encoded.datatype, datatype);
      assert.deepEqual(encoded.shape, [2, 3]);
      if (datatype === 'BYTES') {
        assert.equal(encoded.base64, undefined);
        assert.deepEqual(encoded.strings, SAMPLES.BYTES);
      } else {
        assert.equal(encoded.strings, undefined);
        assert.equal(typeof encoded.base64, 'string');
      }
      const decoded = decodeTensor(encoded);
      assert.deepEqual(decoded, tensor);
      assert.equal(decoded.data.constructor, tensor.data.constructor);
    });
  }

  it('writes little-endian element bytes', () => {
    const int32 = encodeTensor({ name: 'x', datatype: 'INT32', shape: [2], data: new Int32Array([1, -2]) });
    assert.deepEqual([...Buffer.from(int32.base64!, 'base64')], [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
    const fp32 = encodeTensor({ name: 'x', datatype: 'FP32', shape: [1], data: new Float32Array([1]) });
    assert.deepEqual([...Buffer.from(fp32.base64!, 'base64')], [0, 0, 0x80, 0x3f]);
    const fp16 = encodeTensor({ name: 'x', datatype: 'FP16', shape: [1], data: new Uint16Array([0x3c00]) });
    assert.deepEqual([...Buffer.from(fp16.base64!, 'base64')], [0x00, 0x3c]);
  });

  it('encodes only the bytes of a view at an odd offset in a Buffer pool', () => {
    // Small Buffers share Node's pool, so their byteOffset into the ArrayBuffer is arbitrary.
    const pooled = Buffer.from([9, 9, 9, 10, 20, 30, 40, 9]);
    const view = pooled.subarray(3, 7);
    assert.equal(view.byteOffset % 2, 1, 'the view should start at an odd offset');
    const encoded = encodeTensor({ name: 'x', datatype: 'UINT8', shape: [4], data: view });
    assert.deepEqual([...Buffer.from(encoded.base64!, 'base64')], [10, 20, 30, 40]);
    const decoded = decodeTensor(encoded);
    assert.deepEqual([...decoded.data as Uint8Array], [10, 20, 30, 40]);
    assert.equal((decoded.data as Uint8Array).byteOffset, 0);

    const int8 = new Int8Array(new ArrayBuffer(16), 5, 3);
    int8.set([-1, 2, -3]);
    assert.deepEqual([...decodeTensor(encodeTensor({ name: 'x', datatype: 'INT8', shape: [3], data: int8 })).data as Int8Array], [-1, 2, -3]);
  });

  it('encodes only the bytes of a wider view into a larger buffer', () => {
    const backing = new Float64Array([1, 2, 3, 4, 5]);
    const view = backing.subarray(1, 3);
    const encoded = encodeTensor({ name: 'x', datatype: 'FP64', shape: [2], data: view });
    assert.equal(Buffer.from(encoded.base64!, 'base64').byteLength, 16);
    assert.deepEqual([...decodeTensor(encoded).data as Float64Array], [2, 3]);
  });

  it('decodes into aligned storage whatever the pool offset of the base64 bytes', () => {
    for (let shift = 0; shift < 8; shift++) {
      Buffer.from('x'.repeat(shift + 1)); // move the pool's next offset around
      const decoded = decodeTensor({ name: 'x', datatype: 'INT64', shape: [3], base64: Buffer.from(new BigInt64Array([1n, -1n, 1n << 62n]).buffer).toString('base64') });
      const data = decoded.data as BigInt64Array;
      assert.ok(data instanceof BigInt64Array);
      assert.equal(data.byteOffset, 0);
      assert.equal(data.buffer.byteLength, 24);
      assert.deepEqual([...data], [1n, -1n, 1n << 62n]);
    }
  });

  it('decodes a scalar and an empty tensor', () => {
    assert.deepEqual(decodeTensor(encodeTensor({ name: 's', datatype: 'FP32', shape: [], data: new Float32Array([2.5]) })).data, new Float32Array([2.5]));
    assert.deepEqual(decodeTensor({ name: 'e', datatype: 'FP32', shape: [0, 4], base64: '' }).data, new Float32Array(0));
    assert.deepEqual(decodeTensor({ name: 'e', datatype: 'BYTES', shape: [0] }).data, []);
  });

  it('throws when the byte length does not fit the shape', () => {
    const encoded = encodeTensor({ name: 'feat', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) });
    assert.throws(() => decodeTensor({ ...encoded, shape: [2, 3] }), (e: unknown) => e instanceof RangeError && /tensor "feat": 16 bytes for 6 FP32 elements/.test(e.message));
    assert.throws(() => decodeTensor({ ...encoded, shape: [1, 3] }), RangeError);
    assert.throws(() => decodeTensor({ ...encoded, datatype: 'FP64' }), /16 bytes for 4 FP64 elements/);
    assert.throws(() => decodeTensor({ name: 'x', datatype: 'INT32', shape: [1] }), /tensor "x": 0 bytes for 1 INT32 elements/);
    assert.throws(() => decodeTensor({ name: 'x', datatype: 'INT16', shape: [1], base64: Buffer.from([1, 2, 3]).toString('base64') }), /3 bytes for 1 INT16/);
  });

  it('throws when a BYTES tensor has the wrong number of strings', () => {
    assert.throws(() => decodeTensor({ name: 'words', datatype: 'BYTES', shape: [3], strings: ['a', 'b'] }), (e: unknown) => e instanceof RangeError && /tensor "words": 2 strings for shape \[3\]/.test(e.message));
    assert.throws(() => decodeTensor({ name: 'words', datatype: 'BYTES', shape: [1] }), /0 strings/);
  });
});

describe('claim-check payloads (encodeTensorsForJob / decodeTensor)', () => {
  const image = (n: number) => Float32Array.from({ length: n }, (_, i) => i / 7);

  it('keeps small requests inline and moves large ones to the payload', () => {
    const small = encodeTensorsForJob([{ name: 'x', datatype: 'FP32', shape: [4], data: image(4) }], 64);
    assert.equal(small.payload, undefined);
    assert.ok(small.inputs[0]!.base64);
    const large = encodeTensorsForJob([{ name: 'x', datatype: 'FP32', shape: [32], data: image(32) }], 64);
    assert.deepEqual(large.inputs[0]!.claim, { offset: 0, length: 128 });
  });

  it('uses the bytes of a single tensor as the payload without copying them', () => {
    const data = image(32);
    const { payload } = encodeTensorsForJob([{ name: 'x', datatype: 'FP32', shape: [32], data }], 64);
    assert.equal(payload!.buffer, data.buffer);
    assert.equal(payload!.byteOffset, data.byteOffset);
    assert.equal(payload!.byteLength, data.byteLength);
  });

  it('concatenates several tensors into one payload, and decodes each from its claim', () => {
    const a = image(20);
    const b = new Uint8Array([1, 2, 3]);
    const c = new Float64Array([0.5, -2.25]);
    const { inputs, payload } = encodeTensorsForJob([
      { name: 'a', datatype: 'FP32', shape: [20], data: a },
      { name: 'b', datatype: 'UINT8', shape: [3], data: b },
      { name: 'c', datatype: 'FP64', shape: [2], data: c },
      { name: 's', datatype: 'BYTES', shape: [1], data: ['hi'] },
    ], 64);
    assert.equal(payload!.byteLength, 80 + 3 + 16);
    const decoded = inputs.map((t) => decodeTensor(t, payload));
    assert.deepEqual([...decoded[0]!.data as Float32Array], [...a]);
    assert.deepEqual([...decoded[1]!.data as Uint8Array], [1, 2, 3]);
    // c sits at offset 83: not aligned for a Float64Array view, so it is copied.
    assert.deepEqual([...decoded[2]!.data as Float64Array], [0.5, -2.25]);
    assert.equal((decoded[2]!.data as Float64Array).byteOffset % 8, 0);
    assert.deepEqual(decoded[3]!.data, ['hi']);
  });

  it('views aligned claimed bytes in the payload instead of copying them', () => {
    const payload = Buffer.from(new Float32Array([9, 1.5, -3]).buffer);
    const decoded = decodeTensor({ name: 'x', datatype: 'FP32', shape: [2], claim: { offset: 4, length: 8 } }, payload);
    assert.equal((decoded.data as Float32Array).buffer, payload.buffer);
    assert.deepEqual([...decoded.data as Float32Array], [1.5, -3]);
    assert.throws(() => decodeTensor({ name: 'x', datatype: 'FP32', shape: [2], claim: { offset: 8, length: 8 } }, payload), /claim outside the payload/);
    assert.throws(() => decodeTensor({ name: 'x', datatype: 'FP32', shape: [3], claim: { offset: 0, length: 8 } }, payload), /8 bytes for 3 FP32 elements/);
    assert.throws(() => decodeTensor({ name: 'x', datatype: 'FP32', shape: [2], claim: { offset: 0, length: 8 } }), /payload is missing/);
  });
});
