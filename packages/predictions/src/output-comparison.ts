/**
 * Compares the outputs of two versions on the same input (a primary and its shadow): per row,
 * whether they agree on the class, and the absolute difference of their numeric outputs. Pure.
 */
import type { InferenceResponse, ResponseOutput } from '@inferq/contract';

/** What one pair adds to the counters of `{prefix}:comparison:{model}:{version}:{baseline}`. */
export interface PairComparison {
  /** Rows compared for agreement. */
  samples: number;
  /** Rows on which both chose the same class. */
  agreements: number;
  /** Sum of |a − b| over the floating-point output elements compared. */
  absDiffSum: number;
  /** Floating-point output elements compared. */
  absDiffCount: number;
  /** Rows per class chosen by the baseline, and by the candidate, on the same rows (output drift between them). */
  baselineClasses: Record<string, number>;
  candidateClasses: Record<string, number>;
}

const FLOAT_TYPES = new Set(['FP16', 'FP32', 'FP64', 'BF16']);

/**
 * Compares `candidate` with `baseline` output by output (same name, same shape). The class of a
 * row is the argmax of the first floating-point output of rank ≥ 2 (scores or probabilities),
 * else the value of the first rank-1 output (a label). Undefined when nothing can be compared
 * (no output in common, shapes differ).
 */
export function compareOutputs(baseline: InferenceResponse, candidate: InferenceResponse): PairComparison | undefined {
  const pairs: Array<[ResponseOutput, ResponseOutput]> = [];
  for (const a of baseline.outputs) {
    const b = candidate.outputs.find((o) => o.name === a.name);
    if (b && a.datatype === b.datatype && sameShape(a.shape, b.shape) && a.data.length === b.data.length) pairs.push([a, b]);
  }
  if (pairs.length === 0) return undefined;
  const result: PairComparison = { samples: 0, agreements: 0, absDiffSum: 0, absDiffCount: 0, baselineClasses: {}, candidateClasses: {} };
  const count = (classes: Record<string, number>, value: unknown) => {
    const key = String(value);
    classes[key] = (classes[key] ?? 0) + 1;
  };
  for (const [a, b] of pairs) {
    if (!FLOAT_TYPES.has(a.datatype)) continue;
    for (let i = 0; i < a.data.length; i++) {
      const x = a.data[i], y = b.data[i];
      // Non-finite values travel as strings ("NaN", "Infinity"): they have no distance.
      if (typeof x === 'number' && typeof y === 'number') {
        result.absDiffSum += Math.abs(x - y);
        result.absDiffCount++;
      }
    }
  }
  const scores = pairs.find(([a]) => FLOAT_TYPES.has(a.datatype) && a.shape.length >= 2 && a.shape[0]! > 0);
  if (scores) {
    const [a, b] = scores;
    const rows = a.shape[0]!;
    const width = a.data.length / rows;
    for (let r = 0; r < rows; r++) {
      result.samples++;
      const x = argmax(a.data, r * width, width), y = argmax(b.data, r * width, width);
      count(result.baselineClasses, x);
      count(result.candidateClasses, y);
      if (x === y) result.agreements++;
    }
    return result;
  }
  const labels = pairs.find(([a]) => a.shape.length === 1);
  if (labels) {
    const [a, b] = labels;
    // Integer or string labels are classes; a float (a regression output) is no class to count.
    const classes = !FLOAT_TYPES.has(a.datatype);
    for (let r = 0; r < a.data.length; r++) {
      result.samples++;
      if (classes) {
        count(result.baselineClasses, a.data[r]);
        count(result.candidateClasses, b.data[r]);
      }
      if (a.data[r] === b.data[r]) result.agreements++;
    }
  }
  return result;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Index of the largest number in `data[from, from + width)`; non-numbers never win. −1 when none. */
function argmax(data: ResponseOutput['data'], from: number, width: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < width; i++) {
    const value = data[from + i];
    if (typeof value === 'number' && (best === -1 || value > bestValue)) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}
