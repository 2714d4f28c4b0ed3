/**
 * Learns how long a batch takes as a function of its size, t(n) ≈ a·n + b, by least squares
 * over the most recent batches (BentoML's adaptive batching fits the same line). `b` is the
 * fixed cost a bigger batch amortises; `a` the cost per row.
 */
export class BatchCostModel {
  readonly #capacity: number;
  readonly #rows: number[] = [];
  readonly #ms: number[] = [];

  /** @param capacity - batches remembered. @defaultValue 64 */
  constructor(capacity = 64) {
    this.#capacity = capacity;
  }

  /** Records one batch of `rows` rows that took `ms`. */
  observe(rows: number, ms: number): void {
    if (!(rows > 0) || !(ms >= 0)) return;
    this.#rows.push(rows);
    this.#ms.push(ms);
    if (this.#rows.length > this.#capacity) {
      this.#rows.shift();
      this.#ms.shift();
    }
  }

  /** The fitted cost line, or undefined before `minSamples` batches. Both terms are clamped at ≥ 0. */
  estimate(minSamples = 8): { perRowMs: number; fixedMs: number } | undefined {
    const n = this.#rows.length;
    if (n < minSamples) return undefined;
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      const x = this.#rows[i]!, y = this.#ms[i]!;
      sx += x; sy += y; sxx += x * x; sxy += x * y;
    }
    const denominator = n * sxx - sx * sx;
    if (denominator === 0) {
      // Every batch had the same size: no slope can be told apart; treat the time as fixed cost.
      return { perRowMs: 0, fixedMs: sy / n };
    }
    const slope = (n * sxy - sx * sy) / denominator;
    const intercept = (sy - slope * sx) / n;
    if (slope < 0) return { perRowMs: 0, fixedMs: sy / n };
    if (intercept < 0) return { perRowMs: sxy / sxx, fixedMs: 0 };
    return { perRowMs: slope, fixedMs: intercept };
  }
}
