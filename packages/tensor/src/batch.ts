import type { Datatype } from '@inferq/contract';
import { allocateValues, arrayConstructorFor, elementCount, type Tensor, type TensorValues } from './tensor.js';

/**
 * Concatenation and splitting along the batch dimension (axis 0): the pure half of
 * micro-batching. Callers group only tensors whose other dimensions agree (`batchKey`).
 */

/** A key equal for tensors that can share a batch: same datatype and non-batch dims. */
export function batchKey(tensors: readonly Tensor[]): string {
  return tensors.map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`).join('|');
}

/** Stacks tensors along axis 0. All parts must share name, datatype and non-batch dims. */
export function concatBatch(parts: readonly Tensor[]): Tensor {
  const first = parts[0];
  if (!first) throw new RangeError('concatBatch needs at least one tensor');
  if (parts.length === 1) return first;
  const rowShape = first.shape.slice(1);
  const rowKey = rowShape.join('x');
  let rows = 0;
  for (const part of parts) {
    if (part.datatype !== first.datatype || part.shape.slice(1).join('x') !== rowKey) {
      throw new RangeError(`cannot batch tensor "${part.name}" [${part.shape.join(', ')}] ${part.datatype} with [${first.shape.join(', ')}] ${first.datatype}`);
    }
    rows += part.shape[0]!;
  }
  const shape = [rows, ...rowShape];
  // Every element is written below, so numeric storage need not be zeroed first (a batch of 28
  // text-orientation images is 3 MB: zero-filling it cost as much as copying the images in).
  const data = first.datatype === 'BYTES' ? allocateValues(first.datatype, elementCount(shape)) : uninitialisedValues(first.datatype, elementCount(shape));
  let offset = 0;
  for (const part of parts) {
    if (Array.isArray(data)) (part.data as string[]).forEach((s, i) => { data[offset + i] = s; });
    else (data as Uint8Array).set(part.data as Uint8Array, offset);
    offset += part.data.length;
  }
  // Parts whose data is shorter than their shape would leave stale bytes of the unzeroed storage in the batch.
  if (offset !== data.length) throw new RangeError(`cannot batch "${first.name}": its parts hold ${offset} values, shape [${shape.join(', ')}] needs ${data.length}`);
  return { name: first.name, datatype: first.datatype, shape, data };
}

/** Splits a tensor along axis 0 into parts of `rowCounts` rows (which must add up to its rows). */
export function splitBatch(tensor: Tensor, rowCounts: readonly number[]): Tensor[] {
  const rows = tensor.shape[0] ?? 0;
  const total = rowCounts.reduce((a, b) => a + b, 0);
  if (total !== rows) throw new RangeError(`cannot split ${rows} rows of "${tensor.name}" into ${total}`);
  if (rowCounts.length === 1) return [tensor];
  const rowSize = rows === 0 ? 0 : tensor.data.length / rows;
  const parts: Tensor[] = [];
  let start = 0;
  for (const count of rowCounts) {
    const end = start + count * rowSize;
    // subarray shares memory: parts are read once to build responses, then dropped with the batch.
    const data = Array.isArray(tensor.data) ? tensor.data.slice(start, end) : tensor.data.subarray(start, end);
    parts.push({ name: tensor.name, datatype: tensor.datatype, shape: [count, ...tensor.shape.slice(1)], data: data as Tensor['data'] });
    start = end;
  }
  return parts;
}

/** Storage for `count` elements of a numeric datatype, not zeroed (its own ArrayBuffer, not Node's pool). */
function uninitialisedValues(datatype: Exclude<Datatype, 'BYTES'>, count: number): TensorValues {
  const Ctor = arrayConstructorFor(datatype);
  return new Ctor(Buffer.allocUnsafeSlow(count * Ctor.BYTES_PER_ELEMENT).buffer, 0, count);
}
