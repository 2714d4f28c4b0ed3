import { quantileSorted } from '@inferq/monitoring';

/** Latency percentiles and throughput from one load run. */
export interface LoadResult {
  /** Completed requests. */
  completed: number;
  /** Failed or rejected requests. */
  errors: number;
  /** `errors` by kind (see error-kinds.ts), most frequent first. */
  errorKinds: Record<string, number>;
  /** Completed predictions (rows) per second. */
  throughput: number;
  /** End-to-end latency percentiles in ms. */
  p50: number;
  p95: number;
  p99: number;
  durationS: number;
}

/**
 * The `p`-th percentile (0–100) of an unsorted sample: the project's one quantile function
 * (numpy's linear interpolation, `quantileSorted` in @inferq/monitoring); NaN when empty.
 * Samples here are at most a few hundred thousand latencies per run, so sorting a copy is cheap
 * next to the run itself; hdr-histogram-js would only pay off for streaming percentiles.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  return quantileSorted([...samples].sort((a, b) => a - b), p / 100);
}

/** The median of an unsorted sample (NaN when empty). */
export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** Summarises latencies (ms) of `completed` requests of `rows` predictions each over `durationS`. */
export function summarise(latencies: readonly number[], errors: number, durationS: number, rowsPerRequest = 1, errorKinds: Record<string, number> = {}): LoadResult {
  return {
    completed: latencies.length,
    errors,
    errorKinds,
    throughput: (latencies.length * rowsPerRequest) / durationS,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    durationS,
  };
}
