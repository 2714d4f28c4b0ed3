import type { Tensor } from '@inferq/tensor';
import type { ProcessorDefinition } from '../step.js';
import { onlyKnown } from '../options.js';
import { matrixShape, numbers, theInput } from '../tensor-access.js';

/**
 * A processor without options that turns one numeric [n, C] tensor (`input`; rank 1 is one row)
 * into one tensor named `output`: what argmax and softmax share (option check, input lookup,
 * shape), so each only states its per-matrix computation.
 *
 * @param compute - the output's datatype, shape and data from the input's values (row-major, as float64).
 */
export function matrixProcessor(name: string, description: string, compute: (values: Float64Array, rows: number, cols: number) => Omit<Tensor, 'name'>): ProcessorDefinition {
  return {
    name,
    description,
    create(options, source) {
      onlyKnown(options, [], source);
      return {
        run(inputs, { stepId }) {
          const input = theInput(inputs, stepId);
          const { rows, cols } = matrixShape(input);
          return { output: { name: 'output', ...compute(numbers(input), rows, cols) } };
        },
      };
    },
  };
}
