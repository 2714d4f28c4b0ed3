import type { EncodedTensor } from '@inferq/contract';
import { arrayConstructorFor, elementCount, type Tensor, type TensorValues } from './tensor.js';

/**
 * Tensor ⇄ wire form for the queue: little-endian element bytes in base64.
 * Typed arrays use the host's byte order, so the process refuses to run on a big-endian host
 * rather than corrupt tensors silently.
 */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('inferq needs a little-endian host: tensors travel as little-endian bytes');
}

/** Encodes a tensor for the job payload. */
export function encodeTensor(tensor: Tensor): EncodedTensor {
  const { name, datatype, shape, data } = tensor;
  if (Array.isArray(data)) return { name, datatype, shape, strings: data };
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { name, datatype, shape, base64: bytes.toString('base64') };
}

/** Decodes a tensor from the job payload, checking that its byte length fits its shape. */
export function decodeTensor(encoded: EncodedTensor): Tensor {
  const { name, datatype, shape } = encoded;
  const count = elementCount(shape);
  if (datatype === 'BYTES') {
    const strings = encoded.strings ?? [];
    if (strings.length !== count) throw new RangeError(`tensor "${name}": ${strings.length} strings for shape [${shape.join(', ')}]`);
    return { name, datatype, shape, data: strings };
  }
  const bytes = Buffer.from(encoded.base64 ?? '', 'base64');
  const Ctor = arrayConstructorFor(datatype);
  if (bytes.byteLength !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new RangeError(`tensor "${name}": ${bytes.byteLength} bytes for ${count} ${datatype} elements`);
  }
  // Copy into a fresh, aligned buffer: a Buffer's offset in Node's pool is not aligned for 4/8-byte views.
  const data = new Ctor(count) as Exclude<TensorValues, string[]>;
  new Uint8Array(data.buffer).set(bytes);
  return { name, datatype, shape, data };
}
