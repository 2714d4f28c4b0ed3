/**
 * Turns what a caller holds (typed arrays, nested arrays, flat arrays with a shape) into v2
 * request inputs, inferring shape and datatype where the value says them. Pure functions.
 */
import type { Datatype, RequestInput } from '@inferq/contract';
import { InferqClientError } from './errors.js';

/** Typed arrays the client can send as the binary data extension. */
export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** A nested (or flat) array of numbers, bigints, booleans or strings. */
export type NestedArray = ReadonlyArray<number | bigint | boolean | string | NestedArray>;

/** One input as a caller gives it. */
export interface TensorInput {
  name: string;
  /** Row-major values: a typed array (give `shape` unless it is 1-D), or nested / flat arrays. */
  data: TypedArray | NestedArray;
  /** @defaultValue the nesting of `data` (a typed array: `[length]`) */
  shape?: readonly number[];
  /** @defaultValue from the typed array's type; nested numbers: `FP32`, booleans `BOOL`, strings `BYTES`, bigints `INT64` */
  datatype?: Datatype;
  parameters?: Record<string, unknown>;
}

/** A tensor ready to send: flat values (typed array or plain array), shape and datatype fixed. */
export interface PreparedTensor {
  name: string;
  shape: number[];
  datatype: Datatype;
  /** Flat row-major values. */
  values: TypedArray | Array<number | bigint | boolean | string>;
  parameters?: Record<string, unknown>;
}

const TYPED_DATATYPE: ReadonlyArray<[new (n: number) => TypedArray, Datatype]> = [
  [Float32Array, 'FP32'], [Float64Array, 'FP64'], [Int8Array, 'INT8'], [Int16Array, 'INT16'],
  [Int32Array, 'INT32'], [BigInt64Array, 'INT64'], [Uint8Array, 'UINT8'], [Uint16Array, 'UINT16'],
  [Uint32Array, 'UINT32'], [BigUint64Array, 'UINT64'],
];

/** Datatype named by a typed array's class. */
export function datatypeOfTypedArray(data: TypedArray): Datatype {
  for (const [ctor, datatype] of TYPED_DATATYPE) if (data instanceof ctor) return datatype;
  throw new InferqClientError('INVALID_ARGUMENT', 'unsupported typed array');
}

export function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** Shape of a nested array (checked rectangular) and its values flattened. */
export function flattenNested(data: NestedArray, inputName: string): { shape: number[]; values: Array<number | bigint | boolean | string> } {
  const shape: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: Array<number | bigint | boolean | string> = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw new InferqClientError('INVALID_ARGUMENT', `input "${inputName}": nested arrays are ragged (deeper at one element)`);
      values.push(node as number);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new InferqClientError('INVALID_ARGUMENT', `input "${inputName}": nested arrays are ragged at depth ${depth} (expected ${shape[depth]} elements)`);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(data, 0);
  return { shape, values };
}

function datatypeOfValue(value: unknown, inputName: string): Datatype {
  switch (typeof value) {
    case 'number': return 'FP32';
    case 'bigint': return 'INT64';
    case 'boolean': return 'BOOL';
    case 'string': return 'BYTES';
    default: throw new InferqClientError('INVALID_ARGUMENT', `input "${inputName}": values must be numbers, bigints, booleans or strings`);
  }
}

/** Validates one input and fixes its shape and datatype. */
export function prepareTensor(input: TensorInput): PreparedTensor {
  if (typeof input?.name !== 'string' || input.name === '') throw new InferqClientError('INVALID_ARGUMENT', 'every input needs a "name"');
  let shape: number[];
  let values: PreparedTensor['values'];
  let datatype = input.datatype;
  if (isTypedArray(input.data)) {
    values = input.data;
    shape = input.shape ? [...input.shape] : [input.data.length];
    datatype ??= datatypeOfTypedArray(input.data);
  } else if (Array.isArray(input.data)) {
    const flat = flattenNested(input.data, input.name);
    values = flat.values;
    shape = input.shape ? [...input.shape] : flat.shape;
    datatype ??= flat.values.length > 0 ? datatypeOfValue(flat.values[0], input.name) : 'FP32';
  } else {
    throw new InferqClientError('INVALID_ARGUMENT', `input "${input.name}": "data" must be a typed array or an array`);
  }
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InferqClientError('INVALID_ARGUMENT', `input "${input.name}": shape ${JSON.stringify(shape)} must hold non-negative integers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) {
    throw new InferqClientError('INVALID_ARGUMENT', `input "${input.name}": shape ${JSON.stringify(shape)} holds ${count} values, data has ${values.length}`);
  }
  return { name: input.name, shape, datatype, values, ...(input.parameters ? { parameters: input.parameters } : {}) };
}

/** The JSON form of a prepared tensor (bigints become numbers: INT64 JSON values are safe integers). */
export function toJsonInput(tensor: PreparedTensor): RequestInput {
  const data: unknown[] = [];
  for (const v of tensor.values as Iterable<number | bigint | boolean | string>) data.push(typeof v === 'bigint' ? Number(v) : v);
  return { name: tensor.name, shape: tensor.shape, datatype: tensor.datatype, data, ...(tensor.parameters ? { parameters: tensor.parameters } : {}) };
}
