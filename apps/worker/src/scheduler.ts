/**
 * Time as the micro-batcher sees it. Injected so tests drive the batcher with a fake clock
 * instead of sleeping.
 */
export interface Scheduler {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `fn` after `ms`; returns a handle for `clearTimer`. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Runs `fn` after the current I/O phase (so work that arrived in the same turn is seen together). */
  defer(fn: () => void): void;
}

/** The real clock: `performance.now`, `setTimeout`, `setImmediate`. */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
  defer: (fn) => setImmediate(fn),
};
