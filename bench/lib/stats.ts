/** Latency percentiles and throughput from one load run. */
export interface LoadResult {
  /** Completed requests. */
  completed: number;
  /** Failed or rejected requests. */
  errors: number;
  /** Completed predictions (rows) per second. */
  throughput: number;
  /** End-to-end latency percentiles in ms. */
  p50: number;
  p95: number;
  p99: number;
  durationS: number;
}

/** Percentile (nearest rank) of an unsorted sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Summarises latencies (ms) of `completed` requests of `rows` predictions each over `durationS`. */
export function summarise(latencies: readonly number[], errors: number, durationS: number, rowsPerRequest = 1): LoadResult {
  return {
    completed: latencies.length,
    errors,
    throughput: (latencies.length * rowsPerRequest) / durationS,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    durationS,
  };
}
