import type { ProcessorDefinition } from '../step.js';
import { integerOption, onlyKnown, stringsOption } from '../options.js';
import { matrixShape, numbers, theInput } from '../tensor-access.js';
import { topkRows } from './topk.js';

/** What `labels` answers for one row. */
export interface LabelledRow {
  label: string;
  score: number;
  /** Every class's score by label, in label order. */
  probabilities: Record<string, number>;
  /** The `top` best classes, best first (only with the `top` option). */
  top?: Array<{ label: string; score: number }>;
}

/** Names the classes of each row of scores. */
export function labelRows(values: ArrayLike<number>, rows: number, labels: readonly string[], top = 0): LabelledRow[] {
  const cols = labels.length;
  const best = topkRows(values, rows, cols, Math.max(1, top));
  return Array.from({ length: rows }, (_, r) => {
    const probabilities: Record<string, number> = {};
    labels.forEach((label, c) => { probabilities[label] = values[r * cols + c]!; });
    const row: LabelledRow = { label: labels[best.indices[r]![0]!]!, score: best.values[r]![0]!, probabilities };
    if (top > 0) row.top = best.indices[r]!.map((c, i) => ({ label: labels[c]!, score: best.values[r]![i]! }));
    return row;
  });
}

/**
 * `labels`: `input` [n, C] scores (probabilities) → `output` BYTES [n], each a JSON
 * `{label, score, probabilities: {<label>: p}, top?}`. Options: `labels` (C class names, required),
 * `top` (0–100, default 0: no `top` list).
 */
export const labels: ProcessorDefinition = {
  name: 'labels',
  description: 'input [n, C] scores → output BYTES [n] of JSON {label, score, probabilities}; options labels (required), top',
  create(options, source) {
    onlyKnown(options, ['labels', 'top'], source);
    const names = stringsOption(options, 'labels', source);
    const top = integerOption(options, 'top', 0, 0, 100, source);
    return {
      run(inputs, { stepId }) {
        const input = theInput(inputs, stepId);
        const { rows, cols } = matrixShape(input);
        if (cols !== names.length) throw new Error(`step "${stepId}": input has ${cols} classes, the step names ${names.length}`);
        const out = labelRows(numbers(input), rows, names, top).map((row) => JSON.stringify(row));
        return { output: { name: 'output', datatype: 'BYTES', shape: [rows], data: out } };
      },
    };
  },
};
