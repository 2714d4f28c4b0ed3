/**
 * What the input and output summaries share (tensor-summary.ts, tensor-batch-summary.ts): reading
 * a tensor's values as numbers, the kind of summary an input gets, per-row statistics, rounding.
 */
import type { Datatype } from '@inferq/contract';
import { fromFloat16Bits } from './float16.js';

/** A tensor as this module reads it: typed arrays (workers) or JSON arrays (stored results). */
export interface SummarisableTensor {
  name: string;
  datatype: Datatype;
  shape: readonly number[];
  data: ArrayLike<number | bigint | boolean | string>;
}

/** Feature tables wider than this are summarised like any other tensor. */
export const MAX_TABULAR_FEATURES = 256;

export const INTEGER_TYPES: ReadonlySet<Datatype> = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
export const FLOAT_TYPES: ReadonlySet<Datatype> = new Set(['FP16', 'FP32', 'FP64']);

/**
 * The values of a numeric tensor as numbers (FP16 bits decoded, 64-bit integers converted);
 * undefined for BYTES. `fp16Bits`: the FP16 data holds raw half bits (typed arrays in the worker).
 */
export function numbersOf(tensor: SummarisableTensor): ArrayLike<number> | undefined {
  if (tensor.datatype === 'BYTES') return undefined;
  const { data } = tensor;
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint32Array || data instanceof Uint8Array) {
    return data;
  }
  if (data instanceof Uint16Array) return tensor.datatype === 'FP16' ? Float32Array.from(data, fromFloat16Bits) : data;
  // An ONNX INT64 output (iris's label, summarised for every prediction logged): a plain loop,
  // not Array.from's iteration with a callback per value.
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const numbers: number[] = new Array(data.length);
    for (let i = 0; i < data.length; i++) numbers[i] = Number(data[i]);
    return numbers;
  }
  // A stored JSON result's numbers as they are (the version stats read every result): no copy.
  if (Array.isArray(data) && allNumbers(data)) return data as readonly number[];
  return Array.from(data as ArrayLike<unknown>, (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)));
}

function allNumbers(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') return false;
  return true;
}

/** Rounds to 7 significant digits: enough for FP32 values, and short in JSON. */
export const compact = (value: number): number | null => (Number.isFinite(value) ? Number(value.toPrecision(7)) : null);

/** The summary an input gets (see tensor-summary.ts): its values per feature, brightness, statistics, or only its shape. */
export type InputKind = 'tabular' | 'image' | 'tensor' | 'other';

/** The kind of summary of one input tensor; `featureNames` from the model config. */
export function inputKind(tensor: SummarisableTensor, featureNames?: readonly string[]): InputKind {
  if (tensor.datatype === 'BYTES') return 'other';
  const { shape } = tensor;
  // Values per row from the data's length (an empty [0, F] tensor has none: not a table).
  const perRow = shape.length === 2 && shape[0]! > 0 ? tensor.data.length / shape[0]! : 0;
  if (shape.length === 2 && featureNames && featureNames.length === perRow && perRow <= MAX_TABULAR_FEATURES) return 'tabular';
  if (shape.length === 4 && (shape[1] === 1 || shape[1] === 3)) return 'image';
  return 'tensor';
}

/**
 * Mean (and std/min/max when `full`) of `count` values from `start`, over the finite ones.
 * A plain loop first (a 3×48×192 image in ~30 µs); only a row holding NaN or ±∞ takes the slower
 * loop that skips them.
 */
export function rowStats(values: ArrayLike<number>, start: number, count: number, full: boolean): { mean: number; std: number; min: number; max: number } {
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

