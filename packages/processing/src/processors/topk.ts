import type { ProcessorDefinition } from '../step.js';
import { integerOption, onlyKnown } from '../options.js';
import { matrixShape, numbers, theInput } from '../tensor-access.js';

/** The `k` largest values of each row and their indices, largest first (lower index first on ties). */
export function topkRows(values: ArrayLike<number>, rows: number, cols: number, k: number): { values: number[][]; indices: number[][] } {
  const out = { values: [] as number[][], indices: [] as number[][] };
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => values[r * cols + b]! - values[r * cols + a]! || a - b).slice(0, k);
    out.indices.push(order);
    out.values.push(order.map((c) => values[r * cols + c]!));
  }
  return out;
}

/**
 * `topk`: `input` [n, C] → `values` FP32 [n, k] and `indices` INT64 [n, k].
 * Options: `k` (1–1000, default 5; at most C is returned).
 */
export const topk: ProcessorDefinition = {
  name: 'topk',
  description: 'input [n, C] → values FP32 [n, k], indices INT64 [n, k]; option k (default 5)',
  create(options, source) {
    onlyKnown(options, ['k'], source);
    const wanted = integerOption(options, 'k', 5, 1, 1000, source);
    return {
      run(inputs, { stepId }) {
        const input = theInput(inputs, stepId);
        const { rows, cols } = matrixShape(input);
        const k = Math.min(wanted, cols);
        const top = topkRows(numbers(input), rows, cols, k);
        return {
          values: { name: 'values', datatype: 'FP32', shape: [rows, k], data: Float32Array.from(top.values.flat()) },
          indices: { name: 'indices', datatype: 'INT64', shape: [rows, k], data: BigInt64Array.from(top.indices.flat(), (i) => BigInt(i)) },
        };
      },
    };
  },
};
