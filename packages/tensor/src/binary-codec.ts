import type { EncodedTensor } from '@inferq/contract';
import { arrayConstructorFor, elementCount, viewOrCopy, type Tensor, type TensorValues } from './tensor.js';

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

/**
 * Encodes a request's tensors for a job. When their bytes add up to more than `claimCheckBytes`
 * (0 = never), numeric tensors move to one `payload` buffer referenced by `claim`s: stored once in
 * Redis as raw bytes, instead of base64 inside the BullMQ job that Lua scripts copy around.
 */
export function encodeTensorsForJob(tensors: readonly Tensor[], claimCheckBytes: number): { inputs: EncodedTensor[]; payload?: Buffer } {
  const numeric = tensors.filter((t) => !Array.isArray(t.data));
  const bytes = numeric.reduce((n, t) => n + (t.data as Exclude<TensorValues, string[]>).byteLength, 0);
  if (claimCheckBytes <= 0 || bytes <= claimCheckBytes) return { inputs: tensors.map(encodeTensor) };
  const parts: Buffer[] = [];
  let offset = 0;
  const inputs = tensors.map((tensor): EncodedTensor => {
    if (Array.isArray(tensor.data)) return encodeTensor(tensor);
    const part = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    parts.push(part);
    const claim = { offset, length: part.byteLength };
    offset += part.byteLength;
    return { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape, claim };
  });
  // One tensor (the usual image): its bytes are the payload as they are, not copied again.
  return { inputs, payload: parts.length === 1 ? parts[0]! : Buffer.concat(parts, offset) };
}

/**
 * Decodes a tensor from the job payload, checking that its byte length fits its shape. A claimed
 * tensor's values are a view of the payload's bytes where their offset suits the element size (a
 * large payload read from Redis is a buffer of its own, read once per job), else a copy; inline
 * base64 values are always copied into storage of their own.
 * @param payload - the claim-check bytes when the tensor has a `claim`.
 */
export function decodeTensor(encoded: EncodedTensor, payload?: Buffer): Tensor {
  const { name, datatype, shape } = encoded;
  const count = elementCount(shape);
  if (datatype === 'BYTES') {
    const strings = encoded.strings ?? [];
    if (strings.length !== count) throw new RangeError(`tensor "${name}": ${strings.length} strings for shape [${shape.join(', ')}]`);
    return { name, datatype, shape, data: strings };
  }
  let bytes: Buffer;
  if (encoded.claim) {
    if (!payload) throw new RangeError(`tensor "${name}": its claim-check payload is missing (expired?)`);
    const { offset, length } = encoded.claim;
    if (!(offset >= 0 && length >= 0 && offset + length <= payload.byteLength)) throw new RangeError(`tensor "${name}": claim outside the payload`);
    bytes = payload.subarray(offset, offset + length);
  } else {
    bytes = Buffer.from(encoded.base64 ?? '', 'base64');
  }
  const Ctor = arrayConstructorFor(datatype);
  if (bytes.byteLength !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new RangeError(`tensor "${name}": ${bytes.byteLength} bytes for ${count} ${datatype} elements`);
  }
  if (encoded.claim) return { name, datatype, shape, data: viewOrCopy(bytes, Ctor, count) };
  // Inline base64 decodes into a small Buffer that may sit anywhere in Node's pool: copy it into
  // storage of its own (cheap at these sizes, and the tensor then holds no pool slab).
  const data = new Ctor(count) as Exclude<TensorValues, string[]>;
  new Uint8Array(data.buffer).set(bytes);
  return { name, datatype, shape, data };
}
