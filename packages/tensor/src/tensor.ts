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

/**
 * Little-endian element bytes as a typed array: a view of them where their offset suits the
 * element size (no copy), else one copy into fresh, aligned storage (a binary section after a
 * JSON header usually starts at an odd offset; a small Buffer sits at any 8-byte step of Node's
 * pool). A view shares the bytes' memory: callers pass bytes that no one writes afterwards (a
 * request body, a payload read from Redis).
 */
export function viewOrCopy(bytes: Uint8Array, Ctor: NumericArrayConstructor, count: number): Exclude<TensorValues, string[]> {
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const values = new Ctor(count);
  new Uint8Array(values.buffer).set(bytes);
  return values;
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
