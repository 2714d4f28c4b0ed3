import { InferqError } from '@inferq/contract';

/**
 * Flattens row-major nested arrays into one array, refusing nesting deeper than `maxDepth`
 * (a flat array has depth 1). Iterative, so hostile nesting cannot overflow the stack.
 * Returns the flat values without checking their kind; `inputName` names the input in errors.
 *
 * With `shape`, nested data must also be rectangular and agree with it: every value sits at the
 * same depth D, an array at level L < D-1 holds `shape[L]` items and an innermost array holds
 * product(shape[D-1..]) values (so `[[1,2],[3,4]]` and `[[1,2,3,4]]`-style partial nesting work,
 * ragged `[[1,2,3],[4]]` does not).
 */
export function flattenTensorData(data: unknown[], maxDepth: number, inputName: string, maxElements: number, shape?: readonly number[]): unknown[] {
  if (!data.some(Array.isArray)) return data; // the common, flat case costs one scan
  const out: unknown[] = [];
  const stack: Array<{ items: unknown[]; index: number }> = [{ items: data, index: 0 }];
  let leafDepth = 0; // stack depth at which values sit; 0 until the first value is seen
  // Path of the array on top of the stack (or, with `leaf`, of the value just read from it).
  const where = (leaf = false) => `data${(leaf ? stack : stack.slice(0, -1)).map((f) => `[${f.index - 1}]`).join('')}`;
  const raggedError = (detail: string, code: 'ELEMENT_COUNT_MISMATCH' | 'INVALID_TENSOR_DATA' = 'ELEMENT_COUNT_MISMATCH') =>
    new InferqError(code, `input "${inputName}": nested data does not match shape [${shape!.join(', ')}]: ${detail}`);

  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.items.length) {
      if (shape && leafDepth > 0) {
        const level = stack.length - 1;
        const expected = level < leafDepth - 1 ? shape[level] : shape.slice(level).reduce((a, b) => a * b, 1);
        if (top.items.length !== expected) throw raggedError(`${where()} has ${top.items.length} items, expected ${expected}`);
      }
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
      if (shape) {
        if (leafDepth === 0) leafDepth = stack.length;
        else if (stack.length !== leafDepth) throw raggedError(`values at different nesting depths (${where(true)})`, 'INVALID_TENSOR_DATA');
      }
      if (out.length >= maxElements) {
        throw new InferqError('ELEMENT_COUNT_MISMATCH', `input "${inputName}": data holds more values than its shape allows (${maxElements})`);
      }
      out.push(item);
    }
  }
  return out;
}
