import { matrixProcessor } from './matrix-processor.js';

/** Softmax of each row (numerically stable: the row's maximum is subtracted first). */
export function softmaxRows(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, values[r * cols + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(values[r * cols + c]! - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(values[r * cols + c]! - max) / sum;
  }
  return out;
}

/** `softmax`: `input` [n, C] logits → `output` FP32 [n, C] probabilities. No options. */
export const softmax = matrixProcessor('softmax', 'input [n, C] logits → output FP32 [n, C], softmax of each row', (values, rows, cols) => (
  { datatype: 'FP32', shape: [rows, cols], data: softmaxRows(values, rows, cols) }
));
