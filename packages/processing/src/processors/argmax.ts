import type { ProcessorDefinition } from '../step.js';
import { onlyKnown } from '../options.js';
import { matrixShape, numbers, theInput } from '../tensor-access.js';

/** Index of the largest value of each row (the first one on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out.push(best);
  }
  return out;
}

/** `argmax`: `input` [n, C] → `output` INT64 [n], the index of each row's largest value. No options. */
export const argmax: ProcessorDefinition = {
  name: 'argmax',
  description: 'input [n, C] → output INT64 [n], index of the largest value of each row',
  create(options, source) {
    onlyKnown(options, [], source);
    return {
      run(inputs, { stepId }) {
        const input = theInput(inputs, stepId);
        const { rows, cols } = matrixShape(input);
        const best = argmaxRows(numbers(input), rows, cols);
        return { output: { name: 'output', datatype: 'INT64', shape: [rows], data: BigInt64Array.from(best, (i) => BigInt(i)) } };
      },
    };
  },
};
