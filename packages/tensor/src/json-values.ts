import { DATATYPE_INFO, InferqError, previewValue, type Datatype } from '@inferq/contract';
import { toFloat16Bits } from './float16.js';
import { allocateValues, type TensorValues } from './tensor.js';

/**
 * Converts flat JSON values into the storage of `datatype`, checking each value's kind and range.
 * Errors name the input and the flat index of the first bad value.
 */
export function valuesFromJson(values: readonly unknown[], datatype: Datatype, inputName: string): TensorValues {
  const info = DATATYPE_INFO[datatype];
  const out = allocateValues(datatype, values.length);
  const fail = (index: number, expected: string): never => {
    throw new InferqError(
      'INVALID_TENSOR_DATA',
      `input "${inputName}": data[${index}] is ${previewValue(values[index])}, expected ${expected} for ${datatype}`,
    );
  };
  switch (info.kind) {
    case 'float': {
      const target = out as Float32Array | Float64Array | Uint16Array;
      const half = datatype === 'FP16';
      // Beyond the type's largest finite value a number would silently become Infinity.
      const limit = half ? 65_504 : datatype === 'FP32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(i, 'a finite number');
        if (Math.abs(v as number) > limit) fail(i, `a number within ±${limit} (the largest finite value)`);
        target[i] = half ? toFloat16Bits(v as number) : (v as number);
      }
      break;
    }
    case 'integer': {
      const target = out as Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
      const min = info.min as number;
      const max = info.max as number;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(i, `an integer in [${min}, ${max}]`);
        target[i] = v as number;
      }
      break;
    }
    case 'bigint': {
      const target = out as BigInt64Array | BigUint64Array;
      const min = info.min as bigint;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        // JSON numbers beyond 2^53 have already lost precision in JSON.parse: refuse them.
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || BigInt(v) < min) fail(i, 'a safe integer (|v| ≤ 2^53-1)');
        target[i] = BigInt(v as number);
      }
      break;
    }
    case 'bool': {
      const target = out as Uint8Array;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'boolean') fail(i, 'true or false');
        target[i] = v ? 1 : 0;
      }
      break;
    }
    case 'bytes': {
      const target = out as string[];
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'string') fail(i, 'a string');
        target[i] = v as string;
      }
      break;
    }
  }
  return out;
}
