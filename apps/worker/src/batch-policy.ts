/** When a batch is cut. Read on every decision, so changes apply to the next batch. */
export interface BatchPolicy {
  /** Most rows in a batch (at least 1 is always taken). */
  maxBatchSize: number;
  /** Longest the oldest waiting item may wait for the batch to fill; 0 = never wait. */
  maxQueueDelayMs: number;
  /** Batch sizes worth cutting at once without waiting further (Triton's preferred_batch_size). */
  preferredBatchSizes?: readonly number[];
  /**
   * Wait only while it pays, up to `maxQueueDelayMs`: keep waiting while the next row is expected
   * sooner than the fixed per-batch cost it would save (learned as t(n) ≈ a·n + b).
   * @defaultValue false
   */
  adaptive?: boolean;
}

/** What the batcher sees when a runner is free. */
export interface BatchState {
  pendingRows: number;
  /** How long the oldest pending item has waited, ms. */
  waitedMs: number;
  draining: boolean;
  /** Learned fixed cost per batch (b), ms, when known. */
  fixedCostMs?: number;
  /** Mean time between arriving rows, ms, when known. */
  arrivalIntervalMs?: number;
}

export type BatchDecision = { run: true; rows: number } | { run: false; waitMs: number };

/**
 * Decides whether to cut a batch now (and how many rows) or how long to wait. Pure.
 * Order: full batch or draining → cut; a preferred size reachable → cut at the largest one;
 * delay used up → cut; adaptive → wait only while the next row is due sooner than the fixed cost
 * it saves; otherwise wait out the delay.
 */
export function decideBatch(policy: BatchPolicy, state: BatchState): BatchDecision {
  const maxRows = Math.max(1, policy.maxBatchSize);
  if (state.draining || state.pendingRows >= maxRows) return { run: true, rows: maxRows };
  const preferred = (policy.preferredBatchSizes ?? []).filter((p) => p <= state.pendingRows && p <= maxRows);
  if (preferred.length > 0) return { run: true, rows: Math.max(...preferred) };
  const remaining = policy.maxQueueDelayMs - state.waitedMs;
  if (remaining <= 0) return { run: true, rows: maxRows };
  if (policy.adaptive) {
    const { fixedCostMs, arrivalIntervalMs } = state;
    const worthWaiting = fixedCostMs !== undefined && arrivalIntervalMs !== undefined
      && arrivalIntervalMs < fixedCostMs && arrivalIntervalMs <= remaining;
    return worthWaiting ? { run: false, waitMs: Math.max(arrivalIntervalMs, 0.05) } : { run: true, rows: maxRows };
  }
  return { run: false, waitMs: remaining };
}
