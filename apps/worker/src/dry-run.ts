import type { TensorMetadata } from '@inferq/contract';
import { allocateValues, type Tensor } from '@inferq/tensor';

/**
 * The inputs of a version's dry run before it is reported READY: a batch of `rows` all-zero rows
 * when the model batches (shape [rows, ...]), else one all-zero item. Still-dynamic inner
 * dimensions get 1.
 */
export function dryRunInputs(inputs: readonly TensorMetadata[], batchable: boolean, rows: 0 | 1 = 0): Tensor[] {
  return inputs.map((input) => {
    const shape = input.shape.map((dim, axis) => (axis === 0 && batchable ? rows : dim === -1 ? 1 : dim));
    const count = shape.reduce((n, d) => n * d, 1);
    const data = input.datatype === 'BYTES' ? Array.from({ length: count }, () => '') : allocateValues(input.datatype, count);
    return { name: input.name, datatype: input.datatype, shape, data };
  });
}

/** What a dry run needs: running a session once (`quiet`: no onnxruntime error log on failure). */
export interface DryRunnable {
  run(inputs: readonly Tensor[], options?: { quiet?: boolean }): Promise<unknown>;
}

/**
 * Runs a version once on a zero batch before it takes traffic; a model that cannot run it (nor
 * one all-zero row, see below) will not run real requests either, so it ends FAILED. The one-row
 * retry exists because real, working models trip on zero rows: text-orientation's `Reshape` to
 * `[0, -1, ...]` fails in onnxruntime on an empty tensor (seen with the bundled model).
 * Throws the zero-batch error when both fail.
 */
export async function dryRun(session: DryRunnable, inputs: readonly TensorMetadata[], batchable: boolean): Promise<void> {
  try {
    // Quiet: the bundled OCR models fail this way on every start, and onnxruntime would print
    // the kernel error to stderr each time although the one-row run below then succeeds.
    await session.run(dryRunInputs(inputs, batchable, 0), { quiet: batchable });
  } catch (error) {
    if (!batchable) throw error;
    await session.run(dryRunInputs(inputs, batchable, 1)).catch(() => { throw error; });
  }
}
