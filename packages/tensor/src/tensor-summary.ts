/**
 * Compact, per-row summaries of input and output tensors for the prediction log and feedback:
 * never the tensors themselves. Pure functions.
 *
 * - Inputs: a 2-D `[N, F]` tensor with named features keeps each row's values; an image
 *   `[N, C, H, W]` (C = 1 or 3) keeps each row's brightness (mean); any other numeric tensor
 *   keeps each row's mean, std, min and max. BYTES tensors keep only their shape.
 * - Outputs: the predicted class per row (the model's integer label output `[N]` / `[N, 1]`
 *   when it has one, else the argmax of its first float `[N, C]` output) and the confidence
 *   (the row's largest probability; scores that are not probabilities go through a softmax),
 *   and how many output values were NaN or ±∞ (`nonFinite`, absent when none).
 */
import type { InputSummary, OutputSummary } from '@inferq/contract';
import type { SummarisableTensor } from './summary-values.js';
import { compact, FLOAT_TYPES, INTEGER_TYPES, inputKind, numbersOf, rowStats } from './summary-values.js';

export type { SummarisableTensor } from './summary-values.js';

/** Per-row summary of one input tensor; `featureNames` from the model config. */
export function summarizeInput(tensor: SummarisableTensor, featureNames?: readonly string[]): InputSummary {
  const shape = [...tensor.shape];
  const kind = inputKind(tensor, featureNames);
  const values = numbersOf(tensor);
  if (!values || kind === 'other') return { kind: 'other', shape, datatype: tensor.datatype };
  const rows = shape.length === 0 ? 1 : shape[0]!;
  const perRow = rows === 0 ? 0 : values.length / rows;

  if (kind === 'tabular' && featureNames) {
    const table: Array<Array<number | null>> = [];
    for (let r = 0; r < rows; r++) {
      const row: Array<number | null> = new Array(perRow);
      for (let f = 0; f < perRow; f++) row[f] = compact(values[r * perRow + f]!);
      table.push(row);
    }
    return { kind: 'tabular', featureNames: [...featureNames], rows: table };
  }

  const isImage = kind === 'image';
  const mean: Array<number | null> = [];
  const std: Array<number | null> = [];
  const min: Array<number | null> = [];
  const max: Array<number | null> = [];
  for (let r = 0; r < rows; r++) {
    const stats = rowStats(values, r * perRow, perRow, !isImage);
    mean.push(compact(stats.mean));
    if (isImage) continue;
    std.push(compact(stats.std));
    min.push(compact(stats.min));
    max.push(compact(stats.max));
  }
  if (isImage) return { kind: 'image', shape, brightness: mean };
  return { kind: 'tensor', shape, mean, std, min, max };
}

/**
 * Predicted class, label name and confidence per row. Returns undefined when no output looks
 * like a classification (an integer `[N]` / `[N, 1]` label or a float `[N, C ≥ 2]` score).
 */
export function summarizeOutputs(outputs: readonly SummarisableTensor[], labels?: readonly string[]): OutputSummary | undefined {
  const nonFinite = countNonFiniteValues(outputs);
  const summary = classify(outputs, labels);
  if (nonFinite === 0) return summary;
  // A model without a classification output still reports its non-finite outputs (no classes).
  return { ...(summary ?? { classes: [] }), nonFinite };
}

/** NaN and ±∞ values over the float outputs (typed arrays, or stored JSON with its strings). */
function countNonFiniteValues(outputs: readonly SummarisableTensor[]): number {
  let count = 0;
  for (const output of outputs) {
    if (!FLOAT_TYPES.has(output.datatype)) continue;
    const values = numbersOf(output)!;
    for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! !== 0) count++;
  }
  return count;
}

/**
 * Plain loops over the tensors' values, no array per row or closure per value: this runs for
 * every prediction twice (its log entry and its version's stats). With the same figures as the
 * `Array.from`/`every`/`reduce` version it replaced, an iris result costs 0.5-1.0 µs instead of
 * 2.6-4.7 (JSON result) and 0.8-1.5 instead of 1.4-2.8 (ONNX outputs) on a loaded 2-core machine
 * (bench/worker-event-cost.ts).
 */
function classify(outputs: readonly SummarisableTensor[], labels?: readonly string[]): OutputSummary | undefined {
  let labelOutput: SummarisableTensor | undefined;
  let scoreOutput: SummarisableTensor | undefined;
  for (const o of outputs) {
    if (!labelOutput && INTEGER_TYPES.has(o.datatype) && (o.shape.length === 1 || (o.shape.length === 2 && o.shape[1] === 1))) labelOutput = o;
    if (!scoreOutput && FLOAT_TYPES.has(o.datatype) && o.shape.length === 2 && o.shape[1]! >= 2) scoreOutput = o;
  }
  if (!labelOutput && !scoreOutput) return undefined;
  const rows = (labelOutput ?? scoreOutput)!.shape[0]!;
  const classes: Array<number | null> = new Array(rows).fill(null);
  let confidence: Array<number | null> | undefined;

  if (scoreOutput) {
    const scores = numbersOf(scoreOutput)!;
    const width = scoreOutput.shape[1]!;
    confidence = new Array(rows).fill(null);
    const scored = Math.min(rows, scoreOutput.shape[0]!);
    for (let r = 0; r < scored; r++) {
      const start = r * width;
      if (!allFinite(scores, start, width)) continue;
      let best = 0;
      for (let c = 1; c < width; c++) if (scores[start + c]! > scores[start + best]!) best = c;
      classes[r] = best;
      confidence[r] = compact(maxProbability(scores, start, width));
    }
  }
  if (labelOutput) {
    const values = numbersOf(labelOutput)!;
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      classes[r] = v !== undefined && Number.isFinite(v) ? v : null;
    }
  }
  const summary: OutputSummary = { classes };
  if (confidence) summary.confidence = confidence;
  if (labels && labels.length > 0) {
    const named: Array<string | null> = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = classes[r]!;
      named[r] = c === null ? null : labels[c] ?? null;
    }
    summary.labels = named;
  }
  return summary;
}

/** Whether `count` values from `start` are all finite numbers (a value past the end is not). */
function allFinite(values: ArrayLike<number>, start: number, count: number): boolean {
  for (let i = start; i < start + count; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * The largest probability of a row of finite values: the row's maximum when it is a
 * distribution, else the maximum of its softmax.
 */
function maxProbability(values: ArrayLike<number>, start: number, count: number): number {
  const end = start + count;
  let sum = 0;
  let isDistribution = true;
  let top = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    sum += v;
    if (!(v >= 0 && v <= 1)) isDistribution = false;
    if (v > top) top = v;
  }
  if (isDistribution && Math.abs(sum - 1) < 1e-3) return top;
  let denominator = 0;
  for (let i = start; i < end; i++) denominator += Math.exp(values[i]! - top);
  return 1 / denominator;
}
