/**
 * The input summaries of a whole logged batch in one pass (the prediction log writes one entry
 * per worker batch): the same values `summarizeInput` gives each prediction, appended to shared
 * arrays in prediction order, a table column by column. Pure functions.
 */
import type { BatchInputSummary } from '@inferq/contract';
import { compact, inputKind, numbersOf, rowStats, type InputKind, type SummarisableTensor } from './summary-values.js';

/**
 * Summary of one input over the rows of several predictions (one tensor each, in order).
 * Predictions of one model version give their input the same kind of summary; should they not
 * (a table of another width), the batch falls back to per-row statistics, or to shapes alone
 * when one is BYTES. A prediction without rows follows the others' kind.
 * @param featureNames - the input's feature names from the model config.
 */
export function summarizeInputBatch(tensors: readonly SummarisableTensor[], featureNames?: readonly string[]): BatchInputSummary {
  const kind = batchKind(tensors, featureNames);
  const shapes = tensors.map((t) => [...t.shape]);
  if (kind === 'other') return { kind: 'other', shapes, datatype: tensors[0]?.datatype ?? 'BYTES' };
  if (kind === 'tabular') {
    const columns: Array<Array<number | null>> = featureNames!.map(() => []);
    for (const tensor of tensors) {
      const values = numbersOf(tensor)!;
      const width = columns.length;
      for (let start = 0; start < values.length; start += width) {
        for (let f = 0; f < width; f++) columns[f]!.push(compact(values[start + f]!));
      }
    }
    return { kind: 'tabular', shapes, featureNames: [...featureNames!], columns };
  }
  const full = kind === 'tensor';
  const mean: Array<number | null> = [];
  const std: Array<number | null> = [];
  const min: Array<number | null> = [];
  const max: Array<number | null> = [];
  for (const tensor of tensors) {
    const values = numbersOf(tensor)!;
    const rows = tensor.shape.length === 0 ? 1 : tensor.shape[0]!;
    const perRow = rows === 0 ? 0 : values.length / rows;
    for (let r = 0; r < rows; r++) {
      const stats = rowStats(values, r * perRow, perRow, full);
      mean.push(compact(stats.mean));
      if (!full) continue;
      std.push(compact(stats.std));
      min.push(compact(stats.min));
      max.push(compact(stats.max));
    }
  }
  return full ? { kind: 'tensor', shapes, mean, std, min, max } : { kind: 'image', shapes, brightness: mean };
}

/**
 * The kind all tensors share; else `tensor` (numeric) or `other` (one is BYTES). A tensor without
 * rows has nothing to summarise and does not decide (alone, `[0, F]` is no table).
 */
function batchKind(tensors: readonly SummarisableTensor[], featureNames?: readonly string[]): InputKind {
  let kind: InputKind | undefined;
  for (const tensor of tensors) {
    const own = inputKind(tensor, featureNames);
    if (own !== 'other' && tensor.shape[0] === 0) continue;
    if (own === 'other') return 'other';
    if (kind !== undefined && own !== kind) kind = 'tensor';
    else kind ??= own;
  }
  return kind ?? (tensors.length > 0 ? inputKind(tensors[0]!, featureNames) : 'other');
}
