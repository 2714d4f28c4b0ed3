import { batchKey, concatBatch, splitBatch, type Tensor } from '@inferq/tensor';

/** One job's share of a batch: its decoded inputs (sorted by name) and row count. */
export interface BatchItem {
  id: string;
  inputs: Tensor[];
  rows: number;
}

/** What one item got from its batch. */
export type ItemOutcome =
  | { ok: true; outputs: Tensor[]; inferenceMs: number; batchRows: number; batchRequests: number }
  | { ok: false; error: Error };

/** Anything that runs a model once on whole tensors. */
export interface TensorRunner {
  run(inputs: readonly Tensor[]): Promise<Tensor[]>;
}

/** The batch key of an item: items with equal keys can be concatenated. */
export function itemBatchKey(item: BatchItem): string {
  return batchKey(item.inputs);
}

/** Concatenates the items' inputs, runs once, splits every output back by rows. */
export async function runBatchOnce(runner: TensorRunner, items: readonly BatchItem[], now: () => number = performance.now.bind(performance)): Promise<ItemOutcome[]> {
  const inputs = items[0]!.inputs.map((_, k) => concatBatch(items.map((item) => item.inputs[k]!)));
  const rowCounts = items.map((item) => item.rows);
  const batchRows = rowCounts.reduce((a, b) => a + b, 0);
  const started = now();
  const outputs = await runner.run(inputs);
  const inferenceMs = now() - started;
  if (items.length === 1) return [{ ok: true, outputs, inferenceMs, batchRows, batchRequests: 1 }];
  // Outputs are split on axis 0; one that is not batched along it cannot be shared out, and
  // throwing makes the caller fall back to smaller batches (down to one item, which needs no split).
  const perOutput = outputs.map((output) => {
    if (output.shape[0] !== batchRows) throw new Error(`output "${output.name}" has ${output.shape[0]} rows for a batch of ${batchRows}`);
    return splitBatch(output, rowCounts);
  });
  return items.map((_, i) => ({
    ok: true as const,
    outputs: perOutput.map((parts) => parts[i]!),
    inferenceMs,
    batchRows,
    batchRequests: items.length,
  }));
}

/**
 * Runs a batch; when it throws, runs each half on its own, down to single items, so one input
 * that makes the model fail fails only its own job and its neighbours still get results.
 */
export async function runBatchIsolated(runner: TensorRunner, items: readonly BatchItem[], now?: () => number): Promise<ItemOutcome[]> {
  try {
    return await runBatchOnce(runner, items, now);
  } catch (error) {
    if (items.length === 1) return [{ ok: false, error: error instanceof Error ? error : new Error(String(error)) }];
    const middle = Math.ceil(items.length / 2);
    const left = await runBatchIsolated(runner, items.slice(0, middle), now);
    const right = await runBatchIsolated(runner, items.slice(middle), now);
    return [...left, ...right];
  }
}
