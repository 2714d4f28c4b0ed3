import type { Tensor } from '@inferq/tensor';
import type { ProcessorDefinition } from '../step.js';
import { choiceOption, onlyKnown } from '../options.js';
import { matrixShape, numbers } from '../tensor-access.js';
import { argmaxRows } from './argmax.js';

/** How parallel branches are joined. */
export type MergeMethod = 'mean' | 'vote' | 'concat';

/**
 * Joins branch outputs (in input-name order):
 * - `mean`: element-wise mean (same shapes) → FP32;
 * - `vote`: each branch's argmax per row counts one vote → FP32 [n, C] vote shares (ties keep
 *   every winner's share; `argmax` after it picks the lowest class index);
 * - `concat`: rows side by side → FP32 [n, ΣC].
 */
export function mergeTensors(parts: readonly Tensor[], method: MergeMethod): Tensor {
  if (parts.length === 0) throw new Error('merge needs at least one input');
  const shapes = parts.map(matrixShape);
  const rows = shapes[0]!.rows;
  if (shapes.some((s) => s.rows !== rows)) throw new Error(`merge inputs disagree on rows: ${shapes.map((s) => s.rows).join(', ')}`);
  const values = parts.map(numbers);
  if (method === 'concat') {
    const width = shapes.reduce((n, s) => n + s.cols, 0);
    const data = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      let offset = r * width;
      values.forEach((v, p) => {
        const cols = shapes[p]!.cols;
        data.set(v.subarray(r * cols, (r + 1) * cols), offset);
        offset += cols;
      });
    }
    return { name: 'output', datatype: 'FP32', shape: [rows, width], data };
  }
  const cols = shapes[0]!.cols;
  if (shapes.some((s) => s.cols !== cols)) throw new Error(`merge (${method}) inputs disagree on columns: ${shapes.map((s) => s.cols).join(', ')}`);
  const data = new Float32Array(rows * cols);
  if (method === 'mean') {
    const sums = new Float64Array(rows * cols);
    for (const v of values) for (let i = 0; i < sums.length; i++) sums[i]! += v[i]!;
    for (let i = 0; i < sums.length; i++) data[i] = sums[i]! / values.length;
  } else {
    for (const v of values) argmaxRows(v, rows, cols).forEach((c, r) => { data[r * cols + c]! += 1 / values.length; });
  }
  return { name: 'output', datatype: 'FP32', shape: [rows, cols], data };
}

/** `merge`: every input (any names) → `output`. Option `method`: mean (default), vote, concat. */
export const merge: ProcessorDefinition = {
  name: 'merge',
  description: 'all inputs [n, C] → output FP32: mean (default), vote shares or concat; option method',
  create(options, source) {
    onlyKnown(options, ['method'], source);
    const method = choiceOption<MergeMethod>(options, 'method', ['mean', 'vote', 'concat'], 'mean', source);
    return {
      run(inputs) {
        const parts = Object.keys(inputs).sort().map((name) => inputs[name]!);
        return { output: mergeTensors(parts, method) };
      },
    };
  },
};
