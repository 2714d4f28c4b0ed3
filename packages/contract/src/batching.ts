/**
 * Batching settings of a model version, as served and as changed at run time through
 * `PUT /v1/models/{model}/versions/{version}/batching` (stored in Redis, pushed to every worker).
 */
export interface BatchingSettings {
  /** Most rows in one batch. */
  maxBatchSize: number;
  /** Longest the oldest queued request may wait for a batch to fill, ms; 0 = never wait. */
  maxQueueDelayMs: number;
  /** Batch sizes cut at once without waiting further. */
  preferredBatchSizes: number[];
  /** Wait only while waiting pays (learned batch cost), bounded by maxQueueDelayMs. */
  adaptive: boolean;
}

/** A run-time change announced to workers on `{prefix}:events:batching`. */
export interface BatchingChange {
  model: string;
  version: string;
}
