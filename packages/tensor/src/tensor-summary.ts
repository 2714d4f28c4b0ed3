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
import type { Datatype, InputSummary, OutputSummary } from '@inferq/contract';
import { fromFloat16Bits } from './float16.js';

/** A tensor as this module reads it: typed arrays (workers) or JSON arrays (stored results). */
export interface SummarisableTensor {
  name: string;
  datatype: Datatype;
  shape: readonly number[];
  data: ArrayLike<number | bigint | boolean | string>;
}

/** Feature tables wider than this are summarised like any other tensor. */
const MAX_TABULAR_FEATURES = 256;

const INTEGER_TYPES: ReadonlySet<Datatype> = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const FLOAT_TYPES: ReadonlySet<Datatype> = new Set(['FP16', 'FP32', 'FP64']);

/**
 * The values of a numeric tensor as numbers (FP16 bits decoded, 64-bit integers converted);
 * undefined for BYTES. `fp16Bits`: the FP16 data holds raw half bits (typed arrays in the worker).
 */
function numbersOf(tensor: SummarisableTensor): ArrayLike<number> | undefined {
  if (tensor.datatype === 'BYTES') return undefined;
  const { data } = tensor;
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint32Array || data instanceof Uint8Array) {
    return data;
  }
  if (data instanceof Uint16Array) return tensor.datatype === 'FP16' ? Float32Array.from(data, fromFloat16Bits) : data;
  return Array.from(data as ArrayLike<unknown>, (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)));
}

/** Rounds to 7 significant digits: enough for FP32 values, and short in JSON. */
const compact = (value: number): number | null => (Number.isFinite(value) ? Number(value.toPrecision(7)) : null);

/** Per-row summary of one input tensor; `featureNames` from the model config. */
export function summarizeInput(tensor: SummarisableTensor, featureNames?: readonly string[]): InputSummary {
  const shape = [...tensor.shape];
  const values = numbersOf(tensor);
  if (!values) return { kind: 'other', shape, datatype: tensor.datatype };
  const rows = shape.length === 0 ? 1 : shape[0]!;
  const perRow = rows === 0 ? 0 : values.length / rows;

  if (shape.length === 2 && featureNames && featureNames.length === perRow && perRow <= MAX_TABULAR_FEATURES) {
    const table: Array<Array<number | null>> = [];
    for (let r = 0; r < rows; r++) {
      const row: Array<number | null> = new Array(perRow);
      for (let f = 0; f < perRow; f++) row[f] = compact(values[r * perRow + f]!);
      table.push(row);
    }
    return { kind: 'tabular', featureNames: [...featureNames], rows: table };
  }

  const isImage = shape.length === 4 && (shape[1] === 1 || shape[1] === 3);
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
 * Mean (and std/min/max when `full`) of `count` values from `start`, over the finite ones.
 * A plain loop first (a 3×48×192 image in ~30 µs); only a row holding NaN or ±∞ takes the slower
 * loop that skips them.
 */
function rowStats(values: ArrayLike<number>, start: number, count: number, full: boolean): { mean: number; std: number; min: number; max: number } {
  const end = start + count;
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i]!;
  if (Number.isFinite(sum) && !full) return { mean: count > 0 ? sum / count : NaN, std: NaN, min: NaN, max: NaN };
  let finite = 0;
  let total = 0;
  let sumSq = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (v - v !== 0) continue; // NaN or ±∞
    finite++;
    total += v;
    sumSq += v * v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (finite === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const m = total / finite;
  return { mean: m, std: Math.sqrt(Math.max(0, sumSq / finite - m * m)), min: lo, max: hi };
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

function classify(outputs: readonly SummarisableTensor[], labels?: readonly string[]): OutputSummary | undefined {
  const labelOutput = outputs.find((o) => INTEGER_TYPES.has(o.datatype) && (o.shape.length === 1 || (o.shape.length === 2 && o.shape[1] === 1)));
  const scoreOutput = outputs.find((o) => FLOAT_TYPES.has(o.datatype) && o.shape.length === 2 && o.shape[1]! >= 2);
  if (!labelOutput && !scoreOutput) return undefined;
  const rows = (labelOutput ?? scoreOutput)!.shape[0]!;
  const classes: Array<number | null> = new Array(rows).fill(null);
  let confidence: Array<number | null> | undefined;

  if (scoreOutput) {
    const scores = numbersOf(scoreOutput)!;
    const width = scoreOutput.shape[1]!;
    confidence = new Array(rows).fill(null);
    for (let r = 0; r < Math.min(rows, scoreOutput.shape[0]!); r++) {
      const row = Array.from({ length: width }, (_, c) => scores[r * width + c]!);
      if (!row.every(Number.isFinite)) continue;
      let best = 0;
      for (let c = 1; c < width; c++) if (row[c]! > row[best]!) best = c;
      classes[r] = best;
      confidence[r] = compact(maxProbability(row));
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
  if (labels && labels.length > 0) summary.labels = classes.map((c) => (c === null ? null : labels[c] ?? null));
  return summary;
}

/** The largest probability of a row: the row itself when it is a distribution, else its softmax. */
function maxProbability(row: readonly number[]): number {
  const sum = row.reduce((a, b) => a + b, 0);
  const isDistribution = row.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3;
  const top = Math.max(...row);
  if (isDistribution) return top;
  let denominator = 0;
  for (const v of row) denominator += Math.exp(v - top);
  return 1 / denominator;
}
