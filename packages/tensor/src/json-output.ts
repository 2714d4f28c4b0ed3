import type { Datatype } from '@inferq/contract';
import { fromFloat16Bits } from './float16.js';
import type { TensorValues } from './tensor.js';

/** Converts tensor storage to the flat JSON values of a v2 response. */
export function valuesToJson(values: TensorValues, datatype: Datatype): Array<number | boolean | string> {
  if (Array.isArray(values)) return values.slice();
  if (datatype === 'BOOL') return Array.from(values as Uint8Array, (v) => v !== 0);
  if (datatype === 'FP16') return Array.from(values as Uint16Array, fromFloat16Bits);
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return Array.from(values, Number);
  return Array.from(values as ArrayLike<number>);
}
