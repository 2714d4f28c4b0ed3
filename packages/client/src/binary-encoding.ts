/**
 * The binary data extension (docs/api.md, "Binary tensors"): inputs declare
 * `parameters.binary_data_size` and their little-endian bytes follow the JSON, in input order.
 * Over HTTP the JSON's byte length travels in `Inference-Header-Content-Length`; over the
 * WebSocket a binary frame is `[uint32 LE JSON length][JSON message][tensor bytes]`.
 * No Node-only APIs (Buffer): this file is part of the browser entry.
 */
import type { Datatype, InferenceRequest, RequestInput } from '@inferq/contract';
import { InferqClientError } from './errors.js';
import { isTypedArray, toJsonInput, type PreparedTensor, type TypedArray } from './tensor.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextEncoder();

type TypedCtor = new (length: number) => TypedArray;
const ARRAY_FOR: Partial<Record<Datatype, TypedCtor>> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array, FP32: Float32Array, FP64: Float64Array,
};

/** Bytes the tensor takes in binary form, or undefined when it only travels as JSON (FP16 from numbers). */
export function binarySize(tensor: PreparedTensor): number | undefined {
  if (tensor.datatype === 'BYTES') {
    let size = 0;
    for (const v of tensor.values as Iterable<unknown>) size += 4 + utf8.encode(String(v)).byteLength;
    return size;
  }
  if (tensor.datatype === 'FP16') return tensor.values instanceof Uint16Array ? tensor.values.byteLength : undefined;
  const ctor = ARRAY_FOR[tensor.datatype];
  return ctor ? tensor.values.length * (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : undefined;
}

/** Rough JSON size, to decide whether binary pays: ~10 characters per float value. */
export function estimatedJsonBytes(tensors: readonly PreparedTensor[]): number {
  return tensors.reduce((n, t) => n + t.values.length * (t.datatype === 'BOOL' || t.datatype.includes('INT8') ? 2 : 10), 0);
}

/** The little-endian bytes of one tensor. */
export function tensorBytes(tensor: PreparedTensor): Uint8Array {
  if (tensor.datatype === 'BYTES') {
    const parts = Array.from(tensor.values as ArrayLike<unknown>, (v) => utf8.encode(String(v)));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
    const view = new DataView(out.buffer);
    let offset = 0;
    for (const part of parts) {
      view.setUint32(offset, part.byteLength, true);
      out.set(part, offset + 4);
      offset += 4 + part.byteLength;
    }
    return out;
  }
  const ctor = tensor.datatype === 'FP16' ? Uint16Array : ARRAY_FOR[tensor.datatype];
  if (!ctor) throw new InferqClientError('INVALID_ARGUMENT', `input "${tensor.name}": ${tensor.datatype} cannot be sent as binary`);
  let typed: TypedArray;
  if (isTypedArray(tensor.values) && tensor.values instanceof ctor) {
    typed = tensor.values;
  } else {
    typed = new ctor(tensor.values.length);
    const bigint = typed instanceof BigInt64Array || typed instanceof BigUint64Array;
    const source = tensor.values as ArrayLike<number | bigint | boolean | string>;
    for (let i = 0; i < source.length; i++) {
      const v = source[i];
      (typed as unknown as Array<number | bigint>)[i] = bigint ? BigInt(v as number | bigint) : Number(v);
    }
  }
  if (!LITTLE_ENDIAN_HOST && typed.BYTES_PER_ELEMENT > 1) {
    throw new InferqClientError('INVALID_ARGUMENT', 'binary tensors need a little-endian host; send JSON (binary: false)');
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** A request split into its JSON part and the binary sections that follow it. */
export interface EncodedRequest {
  request: InferenceRequest;
  /** Tensor bytes in input order; empty when everything is JSON. */
  sections: Uint8Array[];
}

/** Extra request fields besides the inputs. */
export interface RequestExtras {
  id?: string;
  parameters?: Record<string, unknown>;
  outputs?: InferenceRequest['outputs'];
}

/**
 * Encodes the inputs as JSON, or as the binary extension when `binary` is true (inputs that
 * cannot travel as bytes, such as FP16 given as numbers, stay JSON).
 */
export function encodeRequest(tensors: readonly PreparedTensor[], extras: RequestExtras, binary: boolean): EncodedRequest {
  const sections: Uint8Array[] = [];
  const inputs = tensors.map((tensor): RequestInput => {
    if (binary && binarySize(tensor) !== undefined) {
      const bytes = tensorBytes(tensor);
      sections.push(bytes);
      return {
        name: tensor.name, shape: tensor.shape, datatype: tensor.datatype,
        parameters: { ...tensor.parameters, binary_data_size: bytes.byteLength },
      } as unknown as RequestInput; // no `data`: the bytes carry it
    }
    return toJsonInput(tensor);
  });
  return {
    request: { ...(extras.id !== undefined ? { id: extras.id } : {}), ...(extras.parameters ? { parameters: extras.parameters } : {}), inputs, ...(extras.outputs ? { outputs: extras.outputs } : {}) },
    sections,
  };
}

/** The tensor bytes start at a multiple of this in the body (see concatBinary). */
const SECTION_ALIGNMENT = 8;
const SPACE = 0x20;

/**
 * `header` (as UTF-8 JSON) followed by `sections`, with the header's byte length; `lengthPrefix`
 * adds the WebSocket's uint32 LE length. The header is padded with trailing spaces (still the
 * same JSON) so that the first section starts at a multiple of 8 bytes into the body: a server
 * that receives the body in a buffer of its own can then read FP32/FP64 tensors in place instead
 * of copying them (the inferq API does, see packages/tensor/src/binary-values.ts).
 */
export function concatBinary(header: unknown, sections: readonly Uint8Array[], lengthPrefix: boolean): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const json = utf8.encode(JSON.stringify(header));
  const prefix = lengthPrefix ? 4 : 0;
  const headerLength = Math.ceil((prefix + json.byteLength) / SECTION_ALIGNMENT) * SECTION_ALIGNMENT - prefix;
  const body = new Uint8Array(prefix + headerLength + sections.reduce((n, s) => n + s.byteLength, 0));
  if (lengthPrefix) new DataView(body.buffer).setUint32(0, headerLength, true);
  body.set(json, prefix);
  body.fill(SPACE, prefix + json.byteLength, prefix + headerLength);
  let offset = prefix + headerLength;
  for (const section of sections) {
    body.set(section, offset);
    offset += section.byteLength;
  }
  return { body, headerLength };
}
