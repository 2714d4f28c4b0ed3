/**
 * Batching settings of a model version: the one declaration (and the one set of limits) behind
 * `config.json` (`maxBatchSize`, `maxQueueDelayMs`, `preferredBatchSizes`, `adaptiveBatching`),
 * `GET|PUT /v1/models/{model}/versions/{version}/batching` and the run-time override stored in
 * Redis and pushed to every worker.
 */
import { Type, type Static } from '@sinclair/typebox';
import { compileValidator, ERROR_MESSAGE } from './schema-validator.js';

/** Largest batch any setting may ask for, in config.json or at run time. */
export const MAX_BATCH_SIZE = 4_096;
/** Longest queue delay any setting may ask for, ms. */
export const MAX_QUEUE_DELAY_MS = 60_000;
/** Most preferred batch sizes one version may list. */
export const MAX_PREFERRED_BATCH_SIZES = 32;

/** Most rows in one batch (0 is allowed in config.json only: batching off). */
export const BatchSize = (minimum: 0 | 1) => Type.Integer({ minimum, maximum: MAX_BATCH_SIZE, [ERROR_MESSAGE]: `must be an integer in [${minimum}, ${MAX_BATCH_SIZE}]` });

/** Longest the oldest queued request may wait for a batch to fill, ms; 0 = never wait. */
export const QueueDelayMs = Type.Number({ minimum: 0, maximum: MAX_QUEUE_DELAY_MS, [ERROR_MESSAGE]: `must be a number in [0, ${MAX_QUEUE_DELAY_MS}]` });

/** Batch sizes cut at once without waiting further (Triton's preferred_batch_size). */
export const PreferredBatchSizes = Type.Array(Type.Integer({ minimum: 1, maximum: MAX_BATCH_SIZE }), {
  maxItems: MAX_PREFERRED_BATCH_SIZES,
  [ERROR_MESSAGE]: `must be an array of at most ${MAX_PREFERRED_BATCH_SIZES} integers in [1, ${MAX_BATCH_SIZE}]`,
});

const Flag = Type.Boolean({ [ERROR_MESSAGE]: 'must be true or false' });

/** The settings in force for a version. */
export const BatchingSettings = Type.Object({
  maxBatchSize: BatchSize(1),
  maxQueueDelayMs: QueueDelayMs,
  preferredBatchSizes: PreferredBatchSizes,
  /** Wait only while waiting pays (learned batch cost), bounded by maxQueueDelayMs. */
  adaptive: Flag,
}, { [ERROR_MESSAGE]: 'must be a JSON object of batching settings' });
export type BatchingSettings = Static<typeof BatchingSettings>;

/**
 * `PUT .../batching` body: a partial change. Unknown fields are refused so a typo does not
 * silently change nothing.
 */
export const BatchingSettingsPatch = Type.Partial(BatchingSettings, {
  additionalProperties: false,
  [ERROR_MESSAGE]: 'must be a JSON object of batching settings',
});
export type BatchingSettingsPatch = Static<typeof BatchingSettingsPatch>;

/** A run-time change announced to workers on `{prefix}:events:batching`. */
export interface BatchingChange {
  model: string;
  version: string;
}

/** The compiled checks (a run-time override read back from Redis; a change applied in code). */
export const batchingSettingsValidator = compileValidator(BatchingSettings);
export const batchingSettingsPatchValidator = compileValidator(BatchingSettingsPatch);
