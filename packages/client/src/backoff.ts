/** Reconnect and retry delays: exponential, capped, with jitter so many clients do not return in step. */

/** Back-off settings. */
export interface BackoffOptions {
  /** First delay, ms. @defaultValue 100 */
  initialDelayMs?: number;
  /** Largest delay, ms. @defaultValue 5000 */
  maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (the client then long-polls). @defaultValue 12 */
  maxAttempts?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = Object.freeze({ initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 12 });

/** Delay before attempt `attempt` (1-based): initial·2^(attempt-1), capped, times a jitter factor in [0.5, 1). */
export function backoffDelay(attempt: number, options: Required<BackoffOptions>, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}
