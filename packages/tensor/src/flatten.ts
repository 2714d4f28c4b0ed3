import { InferqError } from '@inferq/contract';

/**
 * Flattens row-major nested arrays into one array, refusing nesting deeper than `maxDepth`
 * (a flat array has depth 1). Iterative, so hostile nesting cannot overflow the stack.
 * Returns the flat values without checking their kind; `inputName` names the input in errors.
 */
export function flattenTensorData(data: unknown[], maxDepth: number, inputName: string, maxElements: number): unknown[] {
  if (!data.some(Array.isArray)) return data; // the common, flat case costs one scan
  const out: unknown[] = [];
  const stack: Array<{ items: unknown[]; index: number }> = [{ items: data, index: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.index++];
    if (Array.isArray(item)) {
      if (stack.length >= maxDepth) {
        throw new InferqError('INVALID_TENSOR_DATA', `input "${inputName}": data is nested deeper than the tensor's rank (${maxDepth})`);
      }
      stack.push({ items: item, index: 0 });
    } else {
      if (out.length >= maxElements) {
        throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": data holds more values than its shape allows (${maxElements})`);
      }
      out.push(item);
    }
  }
  return out;
}
