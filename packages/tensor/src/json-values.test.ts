import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferqError, type Datatype } from '@inferq/contract';
import { valuesFromJson } from './json-values.js';

const rejects = (values: unknown[], datatype: Datatype, pattern: RegExp) =>
  assert.throws(
    () => valuesFromJson(values, datatype, 'x'),
    (error: unknown) => error instanceof InferqError && error.code === 'INVALID_TENSOR_DATA' && pattern.test(error.message),
    `${JSON.stringify(values)} as ${datatype}`,
  );

describe('valuesFromJson: integer datatypes', () => {
  const ranges: Array<[Datatype, number, number, new (values: number[]) => Iterable<number>]> = [
    ['INT8', -128, 127, Int8Array],
    ['INT16', -32_768, 32_767, Int16Array],
    ['INT32', -2_147_483_648, 2_147_483_647, Int32Array],
    ['UINT8', 0, 255, Uint8Array],
    ['UINT16', 0, 65_535, Uint16Array],
    ['UINT32', 0, 4_294_967_295, Uint32Array],
  ];
  for (const [datatype, min, max, Ctor] of ranges) {
    it(`${datatype} takes [${min}, ${max}] and refuses values outside`, () => {
      const out = valuesFromJson([min, 0, max], datatype, 'x');
      assert.ok(out instanceof Ctor, `${datatype} storage`);
      assert.deepEqual([...(out as Iterable<number>)], [min, 0, max]);
      rejects([0, min - 1], datatype, new RegExp(`input "x": data\\[1\\] is ${min - 1}, expected an integer in \\[${min}, ${max}\\] for ${datatype}`));
      rejects([max + 1], datatype, /data\[0\]/);
      rejects([1.5], datatype, /data\[0\] is 1\.5/);
      rejects(['1'], datatype, /data\[0\] is "1"/);
      rejects([Number.NaN], datatype, /data\[0\]/);
    });
  }
});

describe('valuesFromJson: 64-bit integers', () => {
  it('INT64 takes safe integers into a BigInt64Array', () => {
    const out = valuesFromJson([-(2 ** 53 - 1), 0, 2 ** 53 - 1], 'INT64', 'x');
    assert.ok(out instanceof BigInt64Array);
    assert.deepEqual([...out], [-9_007_199_254_740_991n, 0n, 9_007_199_254_740_991n]);
  });

  it('INT64 refuses numbers that lost precision in JSON, fractions and strings', () => {
    rejects([2 ** 53], 'INT64', /data\[0\].*safe integer/);
    rejects([-(2 ** 53)], 'INT64', /data\[0\]/);
    rejects([0.5], 'INT64', /data\[0\]/);
    rejects(['1'], 'INT64', /data\[0\]/);
  });

  it('UINT64 takes non-negative safe integers into a BigUint64Array', () => {
    const out = valuesFromJson([0, 2 ** 53 - 1], 'UINT64', 'x');
    assert.ok(out instanceof BigUint64Array);
    assert.deepEqual([...out], [0n, 9_007_199_254_740_991n]);
    rejects([1, -1], 'UINT64', /data\[1\] is -1/);
  });
});

describe('valuesFromJson: floats', () => {
  it('FP32 rounds to float32', () => {
    const out = valuesFromJson([0.1, -2.5, 3.4e38], 'FP32', 'x');
    assert.ok(out instanceof Float32Array);
    assert.deepEqual([...out], [Math.fround(0.1), -2.5, Math.fround(3.4e38)]);
  });

  it('FP64 keeps the exact double', () => {
    const out = valuesFromJson([0.1, 1e300], 'FP64', 'x');
    assert.ok(out instanceof Float64Array);
    assert.deepEqual([...out], [0.1, 1e300]);
  });

  it('FP16 stores half bit patterns', () => {
    const out = valuesFromJson([1, -2, 0.5, 65504], 'FP16', 'x');
    assert.ok(out instanceof Uint16Array);
    assert.deepEqual([...out], [0x3c00, 0xc000, 0x3800, 0x7bff]);
  });

  for (const datatype of ['FP16', 'FP32', 'FP64'] as const) {
    it(`${datatype} refuses non-finite numbers and non-numbers`, () => {
      rejects([1, Infinity], datatype, new RegExp(`data\\[1\\] is Infinity, expected a finite number for ${datatype}`)); // 1e999 in JSON
      rejects([-Infinity], datatype, /data\[0\] is -Infinity/);
      rejects([Number.NaN], datatype, /data\[0\] is NaN/);
      rejects(['1.0'], datatype, /data\[0\] is "1.0"/);
      rejects([true], datatype, /data\[0\] is true/);
      rejects([[1]], datatype, /data\[0\] is \[1\]/);
      rejects([undefined], datatype, /data\[0\] is undefined/);
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = { a: deep }; // too deep to serialise: still a 400, not a stack overflow
      assert.throws(() => valuesFromJson([deep], datatype, 'x'), (error: unknown) => error instanceof InferqError && /data\[0\] is \{…\}, expected a finite number/.test(error.message));
    });
  }
});

describe('valuesFromJson: BOOL and BYTES', () => {
  it('BOOL takes booleans only, as 0/1 bytes', () => {
    const out = valuesFromJson([true, false], 'BOOL', 'x');
    assert.ok(out instanceof Uint8Array);
    assert.deepEqual([...out], [1, 0]);
    rejects([true, 1], 'BOOL', /data\[1\] is 1, expected true or false for BOOL/);
    rejects(['true'], 'BOOL', /data\[0\]/);
  });

  it('BYTES takes strings only, into a fresh array', () => {
    const input = ['a', '', 'ü'];
    const out = valuesFromJson(input, 'BYTES', 'x');
    assert.deepEqual(out, ['a', '', 'ü']);
    assert.notEqual(out, input);
    rejects(['a', 1], 'BYTES', /data\[1\] is 1, expected a string for BYTES/);
    rejects([null], 'BYTES', /data\[0\] is null/);
  });
});

describe('valuesFromJson: messages', () => {
  it('names the input', () => {
    assert.throws(() => valuesFromJson(['a'], 'FP32', 'features'), /input "features": data\[0\]/);
  });

  it('shortens a long bad value to 40 characters', () => {
    const long = 'z'.repeat(1000);
    assert.throws(
      () => valuesFromJson([long], 'FP32', 'x'),
      (error: unknown) => error instanceof InferqError && error.message.includes(`"${'z'.repeat(39)}…`) && error.message.length < 150,
    );
  });

  it('handles an empty array for every storage kind', () => {
    for (const datatype of ['BOOL', 'INT32', 'INT64', 'FP16', 'FP32', 'BYTES'] as const) {
      assert.equal(valuesFromJson([], datatype, 'x').length, 0);
    }
  });
});

describe('valuesFromJson: float range', () => {
  it('refuses values that would overflow to Infinity in FP32 and FP16', () => {
    assert.throws(() => valuesFromJson([1, 1e39], 'FP32', 'x'), (e: unknown) => e instanceof InferqError && e.code === 'INVALID_TENSOR_DATA' && /data\[1\]/.test(e.message));
    assert.throws(() => valuesFromJson([70000], 'FP16', 'x'), (e: unknown) => e instanceof InferqError && e.code === 'INVALID_TENSOR_DATA');
    assert.equal((valuesFromJson([3.4e38], 'FP32', 'x') as Float32Array)[0], Math.fround(3.4e38));
    assert.equal((valuesFromJson([1e39], 'FP64', 'x') as Float64Array)[0], 1e39);
  });
});
