import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Datatype } from '@inferq/contract';
import { batchKey, concatBatch, splitBatch } from './batch.js';
import { valuesFromJson } from './json-values.js';
import { elementCount, type Tensor } from './tensor.js';

/** A tensor whose element i is `make(start + i)`. */
function tensor(datatype: Datatype, shape: number[], start: number, name = 'x'): Tensor {
  const count = elementCount(shape);
  const make = (i: number): unknown => {
    switch (datatype) {
      case 'BOOL': return i % 3 === 0;
      case 'BYTES': return `s${i}`;
      case 'FP16': return i / 4;
      case 'INT8': return (i % 200) - 100;
      default: return i;
    }
  };
  return { name, datatype, shape, data: valuesFromJson(Array.from({ length: count }, (_, i) => make(start + i)), datatype, name) };
}

describe('concatBatch / splitBatch', () => {
  const cases: Array<{ datatype: Datatype; rowShape: number[]; rows: number[] }> = [
    { datatype: 'FP32', rowShape: [3], rows: [2, 1, 4] },
    { datatype: 'FP32', rowShape: [3, 2, 2], rows: [1, 2] },
    { datatype: 'FP64', rowShape: [], rows: [3, 1, 1, 2] },
    { datatype: 'INT64', rowShape: [2], rows: [1, 3] },
    { datatype: 'UINT64', rowShape: [1], rows: [2, 2] },
    { datatype: 'INT8', rowShape: [5], rows: [1, 1, 1] },
    { datatype: 'INT32', rowShape: [2, 2], rows: [3, 2] },
    { datatype: 'UINT16', rowShape: [4], rows: [2, 5] },
    { datatype: 'BOOL', rowShape: [3], rows: [1, 2] },
    { datatype: 'FP16', rowShape: [2], rows: [2, 3] },
    { datatype: 'BYTES', rowShape: [2], rows: [1, 2, 1] },
  ];
  for (const { datatype, rowShape, rows } of cases) {
    it(`round-trips ${datatype} rows of [${rowShape.join(', ')}] split ${rows.join('+')}`, () => {
      let start = 0;
      const parts = rows.map((n) => {
        const part = tensor(datatype, [n, ...rowShape], start);
        start += part.data.length;
        return part;
      });
      const total = rows.reduce((a, b) => a + b, 0);
      const batch = concatBatch(parts);
      assert.deepEqual(batch.shape, [total, ...rowShape]);
      assert.equal(batch.datatype, datatype);
      assert.equal(batch.name, 'x');
      assert.equal(batch.data.constructor, parts[0]!.data.constructor);
      // The concatenation holds every part's values in order: the same as one tensor built whole.
      assert.deepEqual(batch.data, tensor(datatype, [total, ...rowShape], 0).data);
      const split = splitBatch(batch, rows);
      assert.equal(split.length, parts.length);
      split.forEach((part, i) => assert.deepEqual({ ...part, data: [...part.data] }, { ...parts[i]!, data: [...parts[i]!.data] }, `part ${i}`));
    });
  }

  it('returns a lone part as it is', () => {
    const part = tensor('FP32', [2, 3], 0);
    assert.equal(concatBatch([part]), part);
  });

  it('does not alias the parts: the batch has its own storage', () => {
    const a = tensor('FP32', [1, 2], 0);
    const b = tensor('FP32', [1, 2], 2);
    const batch = concatBatch([a, b]);
    (a.data as Float32Array)[0] = 99;
    assert.equal((batch.data as Float32Array)[0], 0);
  });

  it('refuses parts whose data is shorter than their shape (the batch storage is not zeroed)', () => {
    const short: Tensor = { name: 'x', datatype: 'FP32', shape: [1, 4], data: new Float32Array(3) };
    assert.throws(() => concatBatch([tensor('FP32', [1, 4], 0), short]), /parts hold 7 values, shape \[2, 4\] needs 8/);
  });

  it('refuses an empty list', () => {
    assert.throws(() => concatBatch([]), RangeError);
  });

  it('refuses parts with different row dims or datatypes, naming the tensor', () => {
    const a = tensor('FP32', [1, 3], 0, 'img');
    assert.throws(() => concatBatch([a, tensor('FP32', [1, 4], 0, 'img')]), (e: unknown) => e instanceof RangeError && /cannot batch tensor "img" \[1, 4\] FP32 with \[1, 3\] FP32/.test(e.message));
    assert.throws(() => concatBatch([a, tensor('FP64', [1, 3], 0, 'img')]), /FP64/);
    assert.throws(() => concatBatch([a, tensor('FP32', [1, 3, 1], 0, 'img')]), RangeError);
    assert.throws(() => concatBatch([tensor('FP32', [2, 2, 3], 0), tensor('FP32', [2, 3, 2], 0)]), RangeError);
  });

  it('splits into views of the batch (no copy) for typed arrays', () => {
    const batch = tensor('INT32', [4, 2], 0);
    const [first, second] = splitBatch(batch, [1, 3]);
    assert.deepEqual(first!.shape, [1, 2]);
    assert.deepEqual(second!.shape, [3, 2]);
    assert.deepEqual([...first!.data as Int32Array], [0, 1]);
    assert.deepEqual([...second!.data as Int32Array], [2, 3, 4, 5, 6, 7]);
    assert.equal((second!.data as Int32Array).buffer, (batch.data as Int32Array).buffer);
  });

  it('splits off parts of zero rows', () => {
    const parts = splitBatch(tensor('FP32', [2, 3], 0), [1, 0, 1]);
    assert.deepEqual(parts.map((p) => p.shape), [[1, 3], [0, 3], [1, 3]]);
    assert.equal(parts[1]!.data.length, 0);
    assert.deepEqual([...parts[2]!.data as Float32Array], [3, 4, 5]);
  });

  it('returns the tensor itself for a single part', () => {
    const batch = tensor('FP32', [2, 3], 0);
    const parts = splitBatch(batch, [2]);
    assert.equal(parts.length, 1);
    assert.equal(parts[0], batch);
  });

  it('refuses row counts that do not add up', () => {
    const batch = tensor('FP32', [3, 2], 0, 'probs');
    assert.throws(() => splitBatch(batch, [1, 1]), (e: unknown) => e instanceof RangeError && /cannot split 3 rows of "probs" into 2/.test(e.message));
    assert.throws(() => splitBatch(batch, [2, 2]), /into 4/);
    assert.throws(() => splitBatch(batch, [3, 1]), RangeError);
  });
});

describe('batchKey', () => {
  const t = (name: string, datatype: Datatype, shape: number[]): Tensor => ({ name, datatype, shape, data: new Float32Array(0) });

  it('is equal for tensors that differ only in the batch dimension', () => {
    assert.equal(batchKey([t('x', 'FP32', [1, 3, 48, 192])]), batchKey([t('x', 'FP32', [7, 3, 48, 192])]));
    assert.equal(batchKey([t('a', 'FP32', [1, 4]), t('b', 'INT64', [1])]), batchKey([t('a', 'FP32', [5, 4]), t('b', 'INT64', [5])]));
  });

  it('differs when a non-batch dimension differs', () => {
    assert.notEqual(batchKey([t('x', 'FP32', [1, 3, 48, 192])]), batchKey([t('x', 'FP32', [1, 3, 48, 96])]));
    assert.notEqual(batchKey([t('x', 'FP32', [1, 12])]), batchKey([t('x', 'FP32', [1, 1, 2])]));
  });

  it('differs when the rank differs', () => {
    assert.notEqual(batchKey([t('x', 'FP32', [1, 3])]), batchKey([t('x', 'FP32', [1, 3, 1])]));
    assert.notEqual(batchKey([t('x', 'FP32', [2])]), batchKey([t('x', 'FP32', [2, 1])]));
  });

  it('differs when the datatype or the name differs', () => {
    assert.notEqual(batchKey([t('x', 'FP32', [1, 4])]), batchKey([t('x', 'FP64', [1, 4])]));
    assert.notEqual(batchKey([t('x', 'FP32', [1, 4])]), batchKey([t('y', 'FP32', [1, 4])]));
  });

  it('differs when the inputs differ in number or order', () => {
    const a = t('a', 'FP32', [1, 4]);
    const b = t('b', 'FP32', [1, 4]);
    assert.notEqual(batchKey([a]), batchKey([a, b]));
    assert.notEqual(batchKey([a, b]), batchKey([b, a]));
  });
});
