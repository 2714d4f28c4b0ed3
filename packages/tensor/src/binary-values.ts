import { DATATYPE_INFO, InferqError, type Datatype } from '@inferq/contract';
import { firstNonFiniteFp16, firstNonFiniteFp32, firstNonFiniteFp64 } from './finite-bits.js';
import { arrayConstructorFor, viewOrCopy, type TensorValues } from './tensor.js';

/**
 * Tensor values from raw little-endian bytes: the Open Inference Protocol binary data extension
 * and base64 `data`. BYTES elements are each a 4-byte little-endian length and that many bytes
 * (UTF-8), as in Triton. Floats must be finite and BOOL bytes 0 or 1, as in JSON.
 */
export function valuesFromBytes(bytes: Uint8Array, datatype: Datatype, count: number, inputName: string): TensorValues {
  if (datatype === 'BYTES') return stringsFromBytes(bytes, count, inputName);
  const Ctor = arrayConstructorFor(datatype);
  const expected = count * DATATYPE_INFO[datatype].byteSize;
  if (bytes.byteLength !== expected) {
    throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": ${bytes.byteLength} bytes of binary data, but ${count} ${datatype} elements need ${expected}`);
  }
  const values = viewOrCopy(bytes, Ctor, count);
  const bad = firstInvalidElement(values, datatype);
  if (bad >= 0) throw new InferqError('INVALID_TENSOR_DATA', `input "${inputName}": element ${bad} ${invalidElementText(values, datatype, bad)}`);
  return values;
}

type NumericValues = Exclude<TensorValues, string[]>;

/** The index of the first element that JSON would refuse too (a non-finite float, a BOOL byte other than 0/1); -1 when none. */
function firstInvalidElement(values: NumericValues, datatype: Datatype): number {
  switch (datatype) {
    case 'FP32': return firstNonFiniteFp32(new Uint32Array(values.buffer, values.byteOffset, values.length));
    case 'FP64': return firstNonFiniteFp64(new Uint32Array(values.buffer, values.byteOffset, values.length * 2));
    case 'FP16': return firstNonFiniteFp16(values as Uint16Array);
    case 'BOOL': return firstNonBooleanByte(values as Uint8Array);
    default: return -1;
  }
}

function invalidElementText(values: NumericValues, datatype: Datatype, index: number): string {
  if (datatype === 'BOOL') return `is byte ${values[index]}, expected 0 or 1 for BOOL`;
  if (datatype === 'FP16') return 'is not finite, expected a finite number for FP16';
  return `is ${values[index]}, expected a finite number for ${datatype}`;
}

function firstNonBooleanByte(flags: Uint8Array): number {
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]! > 1) return i;
  }
  return -1;
}

function stringsFromBytes(bytes: Uint8Array, count: number, inputName: string): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.byteLength) throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": binary BYTES data ends before element ${i} of ${count}`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) throw new InferqError('INVALID_TENSOR_DATA', `input "${inputName}": element ${i} declares ${length} bytes past the end of the data`);
    try {
      out.push(decoder.decode(bytes.subarray(offset, offset + length)));
    } catch {
      throw new InferqError('INVALID_TENSOR_DATA', `input "${inputName}": element ${i} is not valid UTF-8`);
    }
    offset += length;
  }
  if (offset !== bytes.byteLength) throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": ${bytes.byteLength - offset} bytes left after ${count} BYTES elements`);
  return out;
}

/** The raw little-endian bytes of tensor values (BYTES: length-prefixed UTF-8). */
export function valuesToBytes(values: TensorValues): Uint8Array {
  if (!Array.isArray(values)) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const encoded = values.map((s) => Buffer.from(s, 'utf8'));
  const out = Buffer.alloc(encoded.reduce((n, b) => n + 4 + b.byteLength, 0));
  let offset = 0;
  for (const b of encoded) {
    out.writeUInt32LE(b.byteLength, offset);
    b.copy(out, offset + 4);
    offset += 4 + b.byteLength;
  }
  return out;
}

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 `data` (standard alphabet, padded or not), refusing other characters. */
export function bytesFromBase64(text: string, inputName: string): Buffer {
  if (text.length % 4 === 1 || !BASE64_PATTERN.test(text)) {
    throw new InferqError('INVALID_TENSOR_DATA', `input "${inputName}": data is a string but not valid base64`);
  }
  return Buffer.from(text, 'base64');
}
