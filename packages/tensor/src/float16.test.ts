import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromFloat16Bits, toFloat16Bits } from './float16.js';
import { mulberry32 } from '@inferq/monitoring';

/**
 * Reference decoder that shares no code with float16.ts: every half is exactly a float32, so
 * build the float32 bit pattern (normalising subnormals) and reinterpret it.
 */
function referenceHalfToNumber(bits: number): number {
  const sign = (bits & 0x8000) << 16;
  let exponent = (bits >>> 10) & 0x1f;
  let mantissa = bits & 0x3ff;
  let f32: number;
  if (exponent === 0x1f) f32 = sign | 0x7f800000 | (mantissa << 13);
  else if (exponent === 0 && mantissa === 0) f32 = sign;
  else {
    if (exponent === 0) {
      exponent = 1;
      while ((mantissa & 0x400) === 0) {
        mantissa <<= 1;
        exponent--;
      }
      mantissa &= 0x3ff;
    }
    f32 = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  }
  return new Float32Array(new Uint32Array([f32 >>> 0]).buffer)[0]!;
}

// Non-negative finite halves 0x0000..0x7bff are increasing in value; 0x7c00 stands in as 2^16,
// the next value an unbounded exponent would give, so values from 65520 up round to Infinity.
const ORDERED = Array.from({ length: 0x7c01 }, (_, bits) => (bits === 0x7c00 ? 65536 : referenceHalfToNumber(bits)));

/** Round-to-nearest-even by searching the table of all halves. */
function referenceToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= 65536) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7c00; // ORDERED[lo] <= magnitude < ORDERED[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ORDERED[mid]! <= magnitude) lo = mid;
    else hi = mid;
  }
  const below = magnitude - ORDERED[lo]!;
  const above = ORDERED[hi]! - magnitude;
  const pick = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

/** The float64 next to `value` in the direction of `direction`. */
function nextAfter(value: number, direction: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, (value > 0) === (direction > 0) ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** Deterministic PRNG so a failure can be reproduced. */
const prng = mulberry32;

describe('toFloat16Bits', () => {
  it('encodes known bit patterns', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-1, 0xbc00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [0.333251953125, 0x3555],
      [65504, 0x7bff], // largest finite half
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [1e-7, 0x0002], // subnormal: 1e-7 / 2^-24 = 1.68 → 2
      [-1e-7, 0x8002],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [1e6, 0x7c00], // overflow
      [-1e6, 0xfc00],
      [1e-9, 0x0000], // underflow
      [-1e-9, 0x8000],
    ];
    for (const [value, bits] of cases) {
      assert.equal(toFloat16Bits(value), bits, `toFloat16Bits(${value}) should be 0x${bits.toString(16)}`);
    }
  });

  it('encodes NaN as a quiet NaN pattern', () => {
    const bits = toFloat16Bits(Number.NaN);
    assert.equal(bits & 0x7c00, 0x7c00);
    assert.notEqual(bits & 0x3ff, 0);
  });

  it('rounds ties to even', () => {
    // Between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01, odd): the tie goes down.
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00);
    // Between 0x3c01 (odd) and 0x3c02 (even): the tie goes up.
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
    // Just past a tie rounds away from it.
    assert.equal(toFloat16Bits(nextAfter(1 + 2 ** -11, 1)), 0x3c01);
    assert.equal(toFloat16Bits(nextAfter(1 + 3 * 2 ** -11, -1)), 0x3c01);
    // Ties among subnormals, and half the smallest subnormal rounds to zero (even).
    assert.equal(toFloat16Bits(2 ** -25), 0x0000);
    assert.equal(toFloat16Bits(3 * 2 ** -25), 0x0002);
    assert.equal(toFloat16Bits(nextAfter(2 ** -25, 1)), 0x0001);
    // 65520 is the tie between 65504 and the first value past the range: it overflows.
    assert.equal(toFloat16Bits(65519.99), 0x7bff);
    assert.equal(toFloat16Bits(65520), 0x7c00);
    // Rounding up out of the subnormals carries into the smallest normal.
    assert.equal(toFloat16Bits(2 ** -14 - 2 ** -26), 0x0400);
  });

  it('rounds once from float64, not through float32', () => {
    // Through float32 this becomes exactly the tie 1 + 2^-11 and then rounds down to 1.
    assert.equal(toFloat16Bits(1 + 2 ** -11 + 2 ** -40), 0x3c01);
    assert.equal(toFloat16Bits(2 ** -25 + 2 ** -60), 0x0001);
  });

  it('matches a table-search reference on midpoints and their neighbours', () => {
    for (let bits = 0; bits < 0x7c00; bits++) {
      const low = ORDERED[bits]!;
      const mid = (low + ORDERED[bits + 1]!) / 2;
      for (const value of [low, mid, nextAfter(mid, -1), nextAfter(mid, 1)]) {
        assert.equal(toFloat16Bits(value), referenceToHalf(value), `value ${value}`);
        assert.equal(toFloat16Bits(-value), referenceToHalf(-value), `value ${-value}`);
      }
    }
  });

  it('matches a table-search reference on random doubles across the range', () => {
    const random = prng(12345);
    for (let i = 0; i < 50_000; i++) {
      const value = (random() < 0.5 ? -1 : 1) * random() * 2 ** (Math.floor(random() * 46) - 28);
      assert.equal(toFloat16Bits(value), referenceToHalf(value), `value ${value}`);
    }
  });
});

describe('fromFloat16Bits', () => {
  it('decodes known bit patterns', () => {
    assert.equal(fromFloat16Bits(0x3c00), 1);
    assert.equal(fromFloat16Bits(0xc000), -2);
    assert.equal(fromFloat16Bits(0x7bff), 65504);
    assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
    assert.equal(fromFloat16Bits(0x03ff), 1023 * 2 ** -24);
    assert.equal(fromFloat16Bits(0x0400), 2 ** -14);
    assert.equal(fromFloat16Bits(0x7c00), Infinity);
    assert.equal(fromFloat16Bits(0xfc00), -Infinity);
    assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
    assert.ok(Object.is(fromFloat16Bits(0x0000), 0));
    assert.ok(Number.isNaN(fromFloat16Bits(0x7e00)));
    assert.ok(Number.isNaN(fromFloat16Bits(0xfc01)));
  });

  it('agrees with the reference decoder on all 65536 patterns', () => {
    for (let bits = 0; bits <= 0xffff; bits++) {
      const expected = referenceHalfToNumber(bits);
      const actual = fromFloat16Bits(bits);
      if (Number.isNaN(expected)) assert.ok(Number.isNaN(actual), `0x${bits.toString(16)}`);
      else assert.ok(Object.is(actual, expected), `0x${bits.toString(16)}: ${actual} !== ${expected}`);
    }
  });

  it('round-trips every non-NaN pattern through toFloat16Bits', () => {
    for (let bits = 0; bits <= 0xffff; bits++) {
      const value = fromFloat16Bits(bits);
      if (Number.isNaN(value)) {
        assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(value))));
        continue;
      }
      assert.equal(toFloat16Bits(value), bits, `0x${bits.toString(16)} (${value})`);
    }
  });
});
