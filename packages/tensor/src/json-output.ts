import type { Datatype } from '@inferq/contract';
import { fromFloat16Bits } from './float16.js';
import { nonFiniteToJson } from './non-finite.js';
import type { TensorValues } from './tensor.js';

/**
 * Converts tensor storage to the flat JSON values of a v2 response. NaN and ±∞ of float outputs
 * become the strings of non-finite.ts (JSON has no literal for them).
 */
export function valuesToJson(values: TensorValues, datatype: Datatype): Array<number | boolean | string> {
  if (Array.isArray(values)) return values.slice();
  if (datatype === 'BOOL') return Array.from(values as Uint8Array, (v) => v !== 0);
  if (datatype === 'FP16') {
    return Array.from(values as Uint16Array, (bits) => ((bits & 0x7c00) === 0x7c00 ? nonFiniteToJson(fromFloat16Bits(bits), BigInt(bits), 'FP16') : fromFloat16Bits(bits)));
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return Array.from(values, Number);
  const out: Array<number | string> = Array.from(values as ArrayLike<number>);
  if (values instanceof Float32Array || values instanceof Float64Array) {
    // One extra pass over numbers already in hand; the bits are read only for a non-finite value.
    for (let i = 0; i < out.length; i++) {
      const v = out[i] as number;
      if (v - v !== 0) out[i] = nonFiniteToJson(v, bitsAt(values, i), values instanceof Float32Array ? 'FP32' : 'FP64');
    }
  }
  return out;
}

/** The IEEE bits of element `i` (little-endian storage, as everywhere in the service). */
function bitsAt(values: Float32Array | Float64Array, i: number): bigint {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  return values instanceof Float32Array ? BigInt(view.getUint32(i * 4, true)) : view.getBigUint64(i * 8, true);
}
