import { matrixProcessor } from './matrix-processor.js';

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
export const argmax = matrixProcessor('argmax', 'input [n, C] → output INT64 [n], index of the largest value of each row', (values, rows, cols) => (
  { datatype: 'INT64', shape: [rows], data: BigInt64Array.from(argmaxRows(values, rows, cols), (i) => BigInt(i)) }
));
