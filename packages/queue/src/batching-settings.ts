import type { Redis } from 'ioredis';
import { InferqError, type BatchingChange, type BatchingSettings, type RedisKeys } from '@inferq/contract';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntegerIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Largest batch a run-time change may ask for. */
export const MAX_RUNTIME_BATCH_SIZE = 4_096;

/**
 * Applies a partial update to `current`, checking every field; errors (INVALID_REQUEST) name the field.
 * Unknown fields are refused so a typo does not silently change nothing.
 */
export function mergeBatchingSettings(current: BatchingSettings, patch: unknown): BatchingSettings {
  const fail = (message: string): never => { throw new InferqError('INVALID_REQUEST', message); };
  if (!isRecord(patch)) return fail('body must be a JSON object of batching settings');
  const known = ['maxBatchSize', 'maxQueueDelayMs', 'preferredBatchSizes', 'adaptive'];
  for (const key of Object.keys(patch)) if (!known.includes(key)) fail(`unknown field "${key.slice(0, 40)}" (known: ${known.join(', ')})`);
  const next = { ...current, preferredBatchSizes: [...current.preferredBatchSizes] };
  if (patch.maxBatchSize !== undefined) {
    if (!isIntegerIn(patch.maxBatchSize, 1, MAX_RUNTIME_BATCH_SIZE)) fail(`"maxBatchSize" must be an integer in [1, ${MAX_RUNTIME_BATCH_SIZE}]`);
    next.maxBatchSize = patch.maxBatchSize as number;
  }
  if (patch.maxQueueDelayMs !== undefined) {
    if (typeof patch.maxQueueDelayMs !== 'number' || !(patch.maxQueueDelayMs >= 0 && patch.maxQueueDelayMs <= 60_000)) fail('"maxQueueDelayMs" must be a number in [0, 60000]');
    next.maxQueueDelayMs = patch.maxQueueDelayMs as number;
  }
  if (patch.preferredBatchSizes !== undefined) {
    if (!Array.isArray(patch.preferredBatchSizes) || patch.preferredBatchSizes.length > 32 || patch.preferredBatchSizes.some((n) => !isIntegerIn(n, 1, MAX_RUNTIME_BATCH_SIZE))) {
      fail('"preferredBatchSizes" must be an array of at most 32 positive integers');
    }
    next.preferredBatchSizes = patch.preferredBatchSizes as number[];
  }
  if (patch.adaptive !== undefined) {
    if (typeof patch.adaptive !== 'boolean') fail('"adaptive" must be true or false');
    next.adaptive = patch.adaptive as boolean;
  }
  return next;
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
