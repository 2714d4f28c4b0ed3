/**
 * Bounds how many windows a model version closes per second under load, by sampling: while its
 * logged rows arrive faster than a budget (MONITOR_MAX_WINDOWS_PER_SECOND × WINDOW_SIZE rows/s),
 * each prediction enters a window with probability budget / rate, so windows keep WINDOW_SIZE
 * rows (the same drift tests with the same power) but close at about the budget's rate. Below the
 * budget every prediction enters. Pure: time comes from the predictions, randomness is injected.
 *
 * The rate is measured over intervals of prediction time (`finishedAt`), not of reading time, so
 * a monitor catching up on a backlog samples as the traffic was, and a burst shorter than one
 * interval is never sampled. The probability chosen at the end of an interval holds for the next.
 */

/** Options of a {@link WindowSampler}. */
export interface WindowSamplerOptions {
  /** Length of a rate measurement, in ms of prediction time. @defaultValue 1000 */
  intervalMs?: number;
  /** Uniform numbers in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/** One model version's sampler (one per version per monitor process). */
export class WindowSampler {
  readonly #budget: number;
  readonly #intervalMs: number;
  readonly #random: () => number;
  /** Start of the interval being measured (prediction time, epoch ms); NaN before the first prediction. */
  #start = Number.NaN;
  /** Rows logged since `#start`, sampled or not. */
  #rows = 0;
  /** Probability of entering a window, in force until the interval ends. */
  #rate = 1;

  /** @param budgetRowsPerSecond - rows per second that may enter windows (> 0). */
  constructor(budgetRowsPerSecond: number, options: WindowSamplerOptions = {}) {
    if (!(budgetRowsPerSecond > 0)) throw new RangeError(`budget must be > 0 rows/s, got ${budgetRowsPerSecond}`);
    this.#budget = budgetRowsPerSecond;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#random = options.random ?? Math.random;
  }

  /** The probability in force (1 = every prediction enters). */
  get rate(): number {
    return this.#rate;
  }

  /**
   * Counts a logged prediction (finished at `t`, `rows` rows) and decides whether it enters a window.
   * @returns its probability of entering (multiply its sample rate by it), or 0 when it does not enter.
   */
  keep(t: number, rows: number): number {
    if (Number.isNaN(this.#start)) {
      this.#start = t;
    } else if (t - this.#start >= this.#intervalMs) {
      const perSecond = (this.#rows * 1_000) / (t - this.#start);
      this.#rate = perSecond > this.#budget ? this.#budget / perSecond : 1;
      this.#start = t;
      this.#rows = 0;
    }
    this.#rows += rows;
    if (this.#rate >= 1) return 1;
    return this.#random() < this.#rate ? this.#rate : 0;
  }
}
