import type { Datatype } from '@inferq/contract';

/** Element storage of a tensor: a typed array for numbers and BOOL (0/1 bytes), strings for BYTES. */
export type TensorValues =
  | Float32Array | Float64Array | Uint16Array // FP16 is carried as raw IEEE half bits
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint32Array | BigUint64Array
  | string[];

/** A named tensor in memory, row-major. */
export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorValues;
}

type NumericArrayConstructor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Uint16ArrayConstructor
  | Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor
  | Uint8ArrayConstructor | Uint32ArrayConstructor | BigUint64ArrayConstructor;

const ARRAY_CONSTRUCTORS: Readonly<Record<Exclude<Datatype, 'BYTES'>, NumericArrayConstructor>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/** The typed-array constructor that stores a numeric datatype. */
export function arrayConstructorFor(datatype: Exclude<Datatype, 'BYTES'>): NumericArrayConstructor {
  return ARRAY_CONSTRUCTORS[datatype];
}

/** Allocates zeroed storage for `count` elements of `datatype`. */
export function allocateValues(datatype: Datatype, count: number): TensorValues {
  if (datatype === 'BYTES') return new Array<string>(count).fill('');
  return new (arrayConstructorFor(datatype))(count);
}

/** Product of the dimensions (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}
