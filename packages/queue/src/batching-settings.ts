import type { Redis } from 'ioredis';
import type { BatchingChange, BatchingSettings, BatchingSettingsPatch, RedisKeys } from '@inferq/contract';

/**
 * Applies a partial update to `current`. The patch has passed the one `BatchingSettingsPatch`
 * schema of `@inferq/contract` (the PUT route's body check; `batchingSettingsPatchValidator`
 * elsewhere), which holds every limit.
 */
export function mergeBatchingSettings(current: BatchingSettings, patch: BatchingSettingsPatch): BatchingSettings {
  return {
    maxBatchSize: patch.maxBatchSize ?? current.maxBatchSize,
    maxQueueDelayMs: patch.maxQueueDelayMs ?? current.maxQueueDelayMs,
    preferredBatchSizes: [...(patch.preferredBatchSizes ?? current.preferredBatchSizes)],
    adaptive: patch.adaptive ?? current.adaptive,
  };
}

/** The run-time override of a version, if one was set. */
export async function readBatchingOverride(redis: Redis, keys: RedisKeys, model: string, version: string): Promise<BatchingSettings | undefined> {
  const text = await redis.get(keys.batching(model, version));
  return text ? (JSON.parse(text) as BatchingSettings) : undefined;
}

/** Stores an override (or deletes it with `undefined`) and tells every worker, in one MULTI. */
export async function writeBatchingOverride(redis: Redis, keys: RedisKeys, model: string, version: string, settings: BatchingSettings | undefined): Promise<void> {
  const change: BatchingChange = { model, version };
  const multi = redis.multi();
  if (settings) multi.set(keys.batching(model, version), JSON.stringify(settings));
  else multi.del(keys.batching(model, version));
  multi.publish(keys.batchingChannel, JSON.stringify(change));
  const results = await multi.exec();
  for (const [error] of results ?? []) if (error) throw error;
}
